package io.gatehouse.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable configuration snapshot. Its {@link #revision()} is derived from its content, so two snapshots with
 * the same content have the same revision wherever they were read.
 *
 * @param revision      content-derived revision id
 * @param globalPolicy  the global (service) policy document, if any
 * @param apis          APIs
 * @param products      products
 * @param subscriptions subscriptions
 * @param namedValues   named values
 * @param backends      backend entities
 * @param fragments     policy fragments
 * @param gateways      self-hosted gateway resources and their API assignments
 */
public record Snapshot(String revision,
                       Optional<PolicyDocument> globalPolicy,
                       List<Api> apis,
                       List<Product> products,
                       List<Subscription> subscriptions,
                       List<NamedValue> namedValues,
                       List<Backend> backends,
                       List<PolicyFragment> fragments,
                       List<Gateway> gateways) {

    /**
     * Creates a snapshot; prefer {@link #create}, which computes the revision.
     *
     * @param revision      revision
     * @param globalPolicy  global policy
     * @param apis          APIs
     * @param products      products
     * @param subscriptions subscriptions
     * @param namedValues   named values
     * @param backends      backends
     * @param fragments     fragments
     * @param gateways      gateways
     */
    public Snapshot {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(globalPolicy, "globalPolicy");
        apis = List.copyOf(apis);
        products = List.copyOf(products);
        subscriptions = List.copyOf(subscriptions);
        namedValues = List.copyOf(namedValues);
        backends = List.copyOf(backends);
        fragments = List.copyOf(fragments);
        gateways = List.copyOf(gateways);
    }
}
