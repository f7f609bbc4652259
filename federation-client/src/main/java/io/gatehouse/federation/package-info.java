/**
 * The federation client: keeps a gateway in step with its management plane. It pulls (or watches) configuration
 * snapshots, hands them to the gateway to compile and activate, sends heartbeats, keeps an encrypted backup for cold
 * starts and keeps serving what it has while the management plane is away (fail static). {@link
 * io.gatehouse.federation.GatewayToken} and {@link io.gatehouse.federation.Heartbeat} are the protocol's shared types.
 */
package io.gatehouse.federation;
