package io.gatehouse.policy.spi;

/**
 * The product a request runs in ({@code context.Product}).
 *
 * @param id   the product id
 * @param name the display name
 */
public record ProductInfo(String id, String name) {
}
