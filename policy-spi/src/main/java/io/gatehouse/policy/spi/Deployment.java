package io.gatehouse.policy.spi;

/**
 * Where the gateway runs ({@code context.Deployment}).
 *
 * @param gatewayId the gateway id ({@code gateway.name}), or {@code standalone}
 * @param nodeId    this node's id, unique per process
 * @param region    the region ({@code context.Deployment.Region}), as configured
 */
public record Deployment(String gatewayId, String nodeId, String region) {
}
