package io.gatehouse.policies.builtin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code <authentication-basic username="..." password="..."/>}: the backend is called with
 * {@code Authorization: Basic base64(username:password)}, replacing whatever {@code Authorization} the caller sent,
 * as APIM. Both attributes may be named values ({@code {{backend-password}}}) or expressions; the password never
 * appears in {@link #toString()} or a message.
 */
public final class AuthenticationBasicProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public AuthenticationBasicProvider() {
        super("authentication-basic", INBOUND);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("username", "password"));
        Value username = element.requiredAttribute("username");
        Value password = element.requiredAttribute("password");
        if (!username.isExpression() && username.source().contains(":")) {
            // RFC 7617: the user-id cannot contain a colon, or the backend splits the pair in the wrong place.
            throw new PolicyConfigException("attribute 'username' must not contain ':'");
        }
        return new AuthenticationBasic(username, password);
    }

    private record AuthenticationBasic(Value username, Value password) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            String pair = username.evaluateString(context) + ":" + password.evaluateString(context);
            context.request().headers().set("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "authentication-basic[username=" + username.source() + "]";
        }
    }
}
