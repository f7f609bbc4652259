package io.gatehouse.samples.hmac;

import java.security.NoSuchAlgorithmException;
import java.util.Set;
import javax.crypto.Mac;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.SpiVersion;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <validate-hmac-signature header-name="X-Signature" secret="{{webhook-secret}}" algorithm="HmacSHA256"
 * failed-validation-httpcode="401" failed-validation-error-message="Invalid signature." />}: checks a webhook-style
 * signature of the request body. The header holds the MAC in hex or base64, optionally after a prefix such as
 * {@code sha256=} (as GitHub sends it). Everything is checked here, once per configuration: nothing is parsed per
 * request.
 */
public final class ValidateHmacSignatureProvider implements PolicyProvider {

    /** Creates the provider; the gateway finds it through META-INF/services. */
    public ValidateHmacSignatureProvider() {
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public Set<String> elementNames() {
        return Set.of("validate-hmac-signature");
    }

    @Override
    public Set<Section> sections() {
        return Set.of(Section.INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("header-name", "secret", "algorithm", "failed-validation-httpcode",
                                       "failed-validation-error-message"));
        String header = element.literalAttribute("header-name").orElse("X-Signature");
        // The secret may be a named value ({{webhook-secret}}, put in before parsing) or a policy expression.
        Value secret = element.requiredAttribute("secret");
        String algorithm = element.literalAttribute("algorithm").orElse("HmacSHA256");
        try {
            Mac.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new PolicyConfigException("attribute 'algorithm': '" + algorithm + "' is not a MAC algorithm of this"
                                                    + " JDK; use HmacSHA256, HmacSHA384, HmacSHA512 or HmacSHA1");
        }
        long status = element.intAttribute("failed-validation-httpcode", 401, 400, 499);
        String message = element.literalAttribute("failed-validation-error-message").orElse("Invalid signature.");
        return new ValidateHmacSignature(header, secret, algorithm, (int) status, message);
    }
}
