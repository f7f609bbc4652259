/**
 * A sample policy plugin, {@code validate-hmac-signature}, written only against the policy SPI. It is the result of
 * the tutorial in {@code docs/writing-a-policy.md}.
 */
package io.gatehouse.samples.hmac;
