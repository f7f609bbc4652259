package io.gatehouse.config;

import java.util.List;
import java.util.Objects;

/**
 * A self-hosted gateway resource ({@code gateways/<id>/gatewayInformation.json}) and the APIs assigned to it
 * ({@code gateways/<id>/apis/<api>/}).
 *
 * @param id          the gateway id: its folder name
 * @param description the description, or an empty string
 * @param apiIds      the ids of the APIs assigned to it
 */
public record Gateway(String id, String description, List<String> apiIds) {

    /**
     * Creates a gateway.
     *
     * @param id          id
     * @param description description
     * @param apiIds      assigned API ids
     */
    public Gateway {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        apiIds = List.copyOf(apiIds);
    }
}
