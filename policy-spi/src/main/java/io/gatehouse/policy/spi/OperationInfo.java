package io.gatehouse.policy.spi;

import java.util.List;
import java.util.Optional;

/**
 * The operation a request was matched to ({@code context.Operation}), with the response examples of its
 * specification for {@code mock-response}.
 *
 * @param id          the operation id
 * @param name        the display name (the specification's summary, or the id)
 * @param method      the HTTP method, upper case
 * @param urlTemplate the URL template, such as {@code /orders/{id}}
 * @param examples    the specification's response examples, in document order
 */
public record OperationInfo(String id, String name, String method, String urlTemplate, List<ResponseExample> examples) {

    /**
     * Creates an operation description.
     *
     * @param id          id
     * @param name        display name
     * @param method      method
     * @param urlTemplate URL template
     * @param examples    response examples
     */
    public OperationInfo {
        examples = List.copyOf(examples);
    }

    /**
     * The first example for a status code and content type, as APIM's {@code mock-response} picks one.
     *
     * @param statusCode  the status code
     * @param contentType the content type, or empty for any
     * @return the example, or empty if the specification has none
     */
    public Optional<ResponseExample> example(int statusCode, Optional<String> contentType) {
        return examples.stream()
                .filter(e -> e.statusCode() == statusCode)
                .filter(e -> contentType.isEmpty() || e.contentType().equalsIgnoreCase(contentType.get()))
                .findFirst();
    }

    /**
     * One response example from an API specification.
     *
     * @param statusCode  the response's status code
     * @param contentType the media type, such as {@code application/json}
     * @param body        the example body as text (JSON serialised for JSON media types); may be empty
     */
    public record ResponseExample(int statusCode, String contentType, String body) {
    }
}
