package io.gatehouse.config;

import java.util.Objects;

/**
 * A policy XML document as written, before named values are substituted.
 *
 * @param path where it came from, relative to the configuration root (for example {@code apis/echo/policy.xml});
 *             error messages name it
 * @param xml  the document text
 */
public record PolicyDocument(String path, String xml) {

    /**
     * Creates a document.
     *
     * @param path source path
     * @param xml  text
     */
    public PolicyDocument {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(xml, "xml");
    }
}
