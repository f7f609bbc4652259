package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.List;
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
 * {@code return-response} with {@code set-status}, {@code set-header} and {@code set-body} children:
 * answers the caller at once with a new response built from its children, as APIM; the rest of the pipeline (and the
 * backend) is skipped.
 */
public final class ReturnResponseProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public ReturnResponseProvider() {
        super("return-response", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of());
        Value code = null;
        Value reason = null;
        Value body = null;
        List<Header> headers = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "set-status" -> {
                    child.allowAttributes(Set.of("code", "reason"));
                    code = child.requiredAttribute("code");
                    reason = child.attribute("reason").orElse(null);
                }
                case "set-header" -> {
                    child.allowAttributes(Set.of("name", "exists-action"));
                    List<Value> values = new ArrayList<>();
                    for (PolicyElement v : child.children("value")) {
                        values.add(v.text().orElseThrow(() -> new PolicyConfigException("<value> must not be empty")));
                    }
                    headers.add(new Header(child.requiredAttribute("name"), values));
                }
                case "set-body" -> body = child.text().orElse(null);
                default -> throw new PolicyConfigException("unexpected <" + child.name() + "> in <return-response>; allowed:"
                        + " set-status, set-header, set-body");
            }
        }
        return new ReturnResponse(code, reason, headers, body);
    }

    private record Header(Value name, List<Value> values) {
    }

    private record ReturnResponse(Value code, Value reason, List<Header> headers, Value body) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            var response = context.response();
            int status = code == null ? 200 : (int) code.evaluateLong(context);
            Responses.startNew(response, status, reason == null ? "" : reason.evaluateString(context));
            for (Header h : headers) {
                String name = h.name().evaluateString(context);
                response.headers().remove(name);
                for (Value v : h.values()) {
                    response.headers().add(name, v.evaluateString(context));
                }
            }
            if (body != null) {
                response.body().set(body.evaluateString(context));
            }
            return Flow.RETURN;
        }

        @Override
        public String toString() {
            return "return-response[status=" + (code == null ? "200" : code.source()) + "]";
        }
    }
}
