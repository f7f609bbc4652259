package io.gatehouse.policy.spi;

/**
 * The sections of an APIM policy document, in the order the pipeline runs them.
 */
public enum Section {
    /** Runs on the request before the backend call ({@code <inbound>}). */
    INBOUND("inbound"),
    /** Runs around the backend call; by default holds {@code forward-request} ({@code <backend>}). */
    BACKEND("backend"),
    /** Runs on the response ({@code <outbound>}). */
    OUTBOUND("outbound"),
    /** Runs when any earlier policy failed, with {@code context.LastError} set ({@code <on-error>}). */
    ON_ERROR("on-error");

    private final String elementName;

    Section(String elementName) {
        this.elementName = elementName;
    }

    /**
     * The section's element name in a policy document.
     *
     * @return {@code inbound}, {@code backend}, {@code outbound} or {@code on-error}
     */
    public String elementName() {
        return elementName;
    }
}
