/**
 * The public extension API of Gatehouse: what a policy is, how it is compiled from one XML element, and the
 * exchange it sees at run time.
 *
 * <p>This package uses JDK types only, so a plugin compiles against this one small artifact. A policy is written
 * in two parts, as an Envoy filter or a Gravitee policy: a {@link io.gatehouse.policy.spi.PolicyProvider} that
 * binds and validates the element's attributes once per configuration snapshot, and the
 * {@link io.gatehouse.policy.spi.Policy} it returns, which only walks that compiled configuration per request.
 *
 * <h2>How a policy ends the pipeline</h2>
 * There is exactly one way for each outcome:
 * <ul>
 *     <li>carry on: return {@link io.gatehouse.policy.spi.Flow#CONTINUE};</li>
 *     <li>answer the caller now with the current {@link io.gatehouse.policy.spi.PolicyContext#response() response}
 *     (as APIM's {@code return-response} and {@code mock-response}): return {@link io.gatehouse.policy.spi.Flow#RETURN};</li>
 *     <li>fail: throw {@link io.gatehouse.policy.spi.PolicyException}; the rest of the pipeline is skipped and the
 *     {@code on-error} section runs with {@code context.LastError} set, as APIM.</li>
 * </ul>
 */
package io.gatehouse.policy.spi;
