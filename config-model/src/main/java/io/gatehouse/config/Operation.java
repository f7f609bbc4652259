package io.gatehouse.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An operation of an API, from the API's OpenAPI specification, with its optional policy from
 * {@code apis/<api>/operations/<id>/policy.xml}.
 *
 * @param id                 the operation id (the specification's {@code operationId})
 * @param displayName        the summary, or the id when there is none
 * @param method             the HTTP method, upper case
 * @param urlTemplate        the URL template relative to the API, starting with {@code /}, such as
 *                           {@code /orders/{id}}
 * @param templateParameters the path parameters of the template
 * @param queryParameters    the declared query parameters
 * @param examples           response examples from the specification, for {@code mock-response}
 * @param policy             the operation-scope policy document, if any
 */
public record Operation(String id,
                        String displayName,
                        String method,
                        String urlTemplate,
                        List<Parameter> templateParameters,
                        List<Parameter> queryParameters,
                        List<ResponseExample> examples,
                        Optional<PolicyDocument> policy) {

    /**
     * Creates an operation.
     *
     * @param id                 id
     * @param displayName        display name
     * @param method             method
     * @param urlTemplate        URL template
     * @param templateParameters template parameters
     * @param queryParameters    query parameters
     * @param examples           response examples
     * @param policy             policy document
     */
    public Operation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(urlTemplate, "urlTemplate");
        templateParameters = List.copyOf(templateParameters);
        queryParameters = List.copyOf(queryParameters);
        examples = List.copyOf(examples);
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * This operation with another policy document.
     *
     * @param policy the operation's policy
     * @return a copy with {@code policy}
     */
    public Operation withPolicy(Optional<PolicyDocument> policy) {
        return new Operation(id, displayName, method, urlTemplate, templateParameters, queryParameters, examples, policy);
    }

    /**
     * A declared parameter.
     *
     * @param name     the name
     * @param required whether it is required
     * @param type     the schema type, such as {@code string} or {@code integer}; {@code string} when undeclared
     */
    public record Parameter(String name, boolean required, String type) {
    }

    /**
     * A response example from the specification.
     *
     * @param statusCode  the response status code
     * @param contentType the media type
     * @param body        the example as text (JSON serialised for JSON media types)
     */
    public record ResponseExample(int statusCode, String contentType, String body) {
    }
}
