package io.gatehouse.policy.spi;

/**
 * The API a request was routed to ({@code context.Api}).
 *
 * @param id       the API's id (its folder name in an APIOps tree)
 * @param name     the display name
 * @param path     the URL suffix, without leading slash (may be empty or contain slashes)
 * @param version  the API version, or an empty string
 * @param revision the API revision, such as {@code 1}
 */
public record ApiInfo(String id, String name, String path, String version, String revision) {
}
