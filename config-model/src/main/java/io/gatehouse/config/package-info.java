/**
 * The configuration snapshot: APIs, operations, products, subscriptions, named values, backends, policy documents,
 * fragments and gateway assignments, as immutable records; its canonical JSON form; and the reader for APIOps
 * artifact folders.
 *
 * <p>A {@link io.gatehouse.config.Snapshot} is data only. Compiling it (routes, policy chains, subscription index)
 * is the gateway's job; a snapshot that does not compile is refused whole and the previous one keeps serving.
 */
package io.gatehouse.config;
