package io.gatehouse.policy.spi;

/**
 * The error that sent an exchange to {@code on-error} ({@code context.LastError}), with APIM's fields.
 *
 * @param source   the element that failed, such as {@code rate-limit} or {@code forward-request}
 * @param reason   the reason code, such as {@code RateLimitExceeded}
 * @param message  the message
 * @param scope    the scope of the failing policy, such as {@code api:echo}
 * @param section  the section it ran in, such as {@code inbound}
 * @param path     the element's path in its document, such as {@code choose\when[1]\rate-limit[1]}
 * @param policyId the policy's definition id ({@link CompileContext#policyId()})
 */
public record LastError(String source, String reason, String message, String scope, String section, String path,
                        String policyId) {
}
