package io.gatehouse.config;

import java.net.URI;
import java.util.Objects;

/**
 * A backend entity ({@code backends/<id>/backendInformation.json}), used by
 * {@code <set-backend-service backend-id="..."/>}.
 *
 * @param id          the id: its folder name
 * @param url         the backend's base URL
 * @param protocol    {@code http} (REST) or {@code soap}
 * @param description the description, or an empty string
 */
public record Backend(String id, URI url, String protocol, String description) {

    /**
     * Creates a backend.
     *
     * @param id          id
     * @param url         URL
     * @param protocol    protocol
     * @param description description
     */
    public Backend {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(description, "description");
    }
}
