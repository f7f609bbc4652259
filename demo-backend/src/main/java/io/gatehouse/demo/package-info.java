/**
 * The sample backend that {@code ./gatehouse demo} starts next to the gateway, and that the benchmark uses as its
 * fixed-response backend. It is not part of the gateway.
 */
package io.gatehouse.demo;
