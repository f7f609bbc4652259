package io.gatehouse.config;

import java.util.Objects;

/**
 * A policy fragment ({@code policy fragments/<id>/policy.xml}, root element {@code <fragment>}), included with
 * {@code <include-fragment fragment-id="..."/>}.
 *
 * @param id          the fragment id: its folder name
 * @param description the description, or an empty string
 * @param document    the fragment document
 */
public record PolicyFragment(String id, String description, PolicyDocument document) {

    /**
     * Creates a fragment.
     *
     * @param id          id
     * @param description description
     * @param document    document
     */
    public PolicyFragment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(document, "document");
    }
}
