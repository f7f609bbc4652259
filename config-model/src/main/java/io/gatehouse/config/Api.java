package io.gatehouse.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An API ({@code apis/<id>/apiInformation.json} plus its specification and policies).
 *
 * @param id                   the API id: its folder name
 * @param displayName          the display name
 * @param path                 the URL suffix without leading or trailing slash; may be empty or contain slashes
 *                             (for example {@code orders/v2})
 * @param serviceUrl           the backend base URL; empty when the API has none (then a policy must set one, or
 *                             answer without a backend)
 * @param protocols            {@code http} and/or {@code https}
 * @param subscriptionRequired whether a subscription key is required, as APIM's {@code subscriptionRequired}
 * @param keyNames             the header and query parameter names carrying the subscription key
 * @param apiVersion           the version, or an empty string
 * @param revision             the revision, such as {@code 1}
 * @param operations           the operations, from the specification
 * @param policy               the API-scope policy document, if any
 */
public record Api(String id,
                  String displayName,
                  String path,
                  Optional<URI> serviceUrl,
                  Set<String> protocols,
                  boolean subscriptionRequired,
                  SubscriptionKeyNames keyNames,
                  String apiVersion,
                  String revision,
                  List<Operation> operations,
                  Optional<PolicyDocument> policy) {

    /**
     * Creates an API.
     *
     * @param id                   id
     * @param displayName          display name
     * @param path                 URL suffix
     * @param serviceUrl           backend URL
     * @param protocols            protocols
     * @param subscriptionRequired whether a key is required
     * @param keyNames             key parameter names
     * @param apiVersion           version
     * @param revision             revision
     * @param operations           operations
     * @param policy               policy document
     */
    public Api {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(serviceUrl, "serviceUrl");
        protocols = Set.copyOf(protocols);
        Objects.requireNonNull(keyNames, "keyNames");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(revision, "revision");
        operations = List.copyOf(operations);
        Objects.requireNonNull(policy, "policy");
    }
}
