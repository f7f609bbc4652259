package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code set-header} and {@code set-query-parameter}: {@code name}, {@code exists-action} (override, skip, append,
 * delete) and {@code <value>} children, as APIM.
 */
record NameValuesPolicy(String element, Value name, ExistsAction action, List<Value> values, boolean query,
                        boolean request) implements Policy {

    enum ExistsAction { OVERRIDE, SKIP, APPEND, DELETE }

    static NameValuesPolicy compile(PolicyElement element, CompileContext context, boolean query)
            throws PolicyConfigException {
        element.allowAttributes(Set.of("name", "exists-action"));
        Value name = element.requiredAttribute("name");
        String action = element.literalAttribute("exists-action").orElse("override").toUpperCase(Locale.ROOT);
        ExistsAction existsAction;
        try {
            existsAction = ExistsAction.valueOf(action);
        } catch (IllegalArgumentException e) {
            throw new PolicyConfigException("attribute 'exists-action' must be override, skip, append or delete, was '"
                    + action.toLowerCase(Locale.ROOT) + "'");
        }
        List<Value> values = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            if (!child.name().equals("value")) {
                throw new PolicyConfigException("unexpected <" + child.name() + ">; only <value> elements are allowed");
            }
            values.add(child.text().orElseThrow(() -> new PolicyConfigException("<value> must not be empty")));
        }
        if (values.isEmpty() && existsAction != ExistsAction.DELETE) {
            throw new PolicyConfigException("at least one <value> is required unless exists-action=\"delete\"");
        }
        return new NameValuesPolicy(element.name(), name, existsAction, values, query,
                                    BuiltinProvider.onRequest(context.section()));
    }

    @Override
    public Flow apply(PolicyContext context) throws PolicyException {
        applyTo(query ? context.request().query() : request ? context.request().headers() : context.response().headers(),
                context);
        return Flow.CONTINUE;
    }

    /** Applies the element to a set of names and values of the caller's choosing (send-request's own headers). */
    void applyTo(NameValues target, PolicyContext context) throws PolicyException {
        String n = name.evaluateString(context);
        switch (action) {
            case DELETE -> target.remove(n);
            case SKIP -> {
                if (!target.contains(n)) {
                    target.set(n, evaluate(context));
                }
            }
            case APPEND -> evaluate(context).forEach(v -> target.add(n, v));
            case OVERRIDE -> target.set(n, evaluate(context));
            default -> throw new IllegalStateException("unhandled exists-action " + action);
        }
    }

    private List<String> evaluate(PolicyContext context) throws PolicyException {
        List<String> result = new ArrayList<>(values.size());
        for (Value v : values) {
            result.add(v.evaluateString(context));
        }
        return result;
    }

    @Override
    public String toString() {
        return element + "[name=" + name.source() + ", exists-action=" + action.name().toLowerCase(Locale.ROOT) + "]";
    }
}
