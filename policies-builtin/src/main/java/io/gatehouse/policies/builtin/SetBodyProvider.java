package io.gatehouse.policies.builtin;

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
 * {@code set-body} (its text, a literal or an expression) replaces the request body (inbound, backend) or the response body
 * (outbound, on-error). Liquid templates ({@code template="liquid"}) are not supported and are refused at load.
 */
public final class SetBodyProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public SetBodyProvider() {
        super("set-body", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("template", "xsi-nil"));
        if (element.literalAttribute("template").isPresent()) {
            throw new PolicyConfigException("template=\"" + element.literalAttribute("template").get() + "\" is not"
                    + " supported; use a policy expression instead");
        }
        Value body = element.text().orElse(null);
        return new SetBody(body, onRequest(context.section()));
    }

    private record SetBody(Value body, boolean request) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            String text = body == null ? "" : body.evaluateString(context);
            if (request) {
                context.request().body().set(text);
                context.request().headers().remove("Content-Length");
            } else {
                context.response().body().set(text);
                context.response().headers().remove("Content-Length");
            }
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "set-body[" + (request ? "request" : "response") + "]";
        }
    }
}
