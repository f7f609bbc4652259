package io.gatehouse.policies.builtin;

import java.util.Locale;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Value;

/**
 * {@code trace source="..." severity="verbose|information|error"} with a {@code message} child: writes a trace entry
 * for the exchange (the gateway's log today; telemetry when it is exported). {@code metadata} children are accepted.
 */
public final class TraceProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public TraceProvider() {
        super("trace", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("source", "severity"));
        String source = element.literalAttribute("source").orElse(context.policyId());
        String severity = element.literalAttribute("severity").orElse("verbose").trim().toUpperCase(Locale.ROOT);
        TraceSeverity level;
        try {
            level = TraceSeverity.valueOf(severity);
        } catch (IllegalArgumentException e) {
            throw new PolicyConfigException("attribute 'severity' must be verbose, information or error, was '"
                    + severity.toLowerCase(Locale.ROOT) + "'");
        }
        Value message = null;
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "message" -> message = child.text().orElseThrow(() -> new PolicyConfigException("<message> is empty"));
                case "metadata" -> child.allowAttributes(Set.of("name", "value"));
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed: message, metadata");
            }
        }
        if (message == null) {
            throw new PolicyConfigException("a <message> child is required");
        }
        return new Trace(source, level, message);
    }

    private record Trace(String source, TraceSeverity severity, Value message) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            context.trace(source, severity, message.evaluateString(context));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "trace[source=" + source + ", severity=" + severity + "]";
        }
    }
}
