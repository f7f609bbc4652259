package io.gatehouse.policies.builtin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.CustomMetric;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/**
 * {@code emit-metric} with {@code name}, {@code namespace}, {@code value} and {@code dimension} children, as APIM:
 * adds {@code value} (default 1) to the custom metric {@code name} in {@code namespace} (default
 * {@code API Management}), split by its dimensions. APIM's default dimensions ({@code API ID}, {@code Operation ID},
 * {@code Product ID}, {@code User ID}, {@code Subscription ID}, {@code Location}, {@code Gateway ID}) fill their own
 * value when none is given; any other dimension needs one. At most {@value #MAX_DIMENSIONS} dimensions.
 */
public final class EmitMetricProvider extends BuiltinProvider {

    static final int MAX_DIMENSIONS = 10;

    private static final Map<String, Function<PolicyContext, String>> DEFAULT_DIMENSIONS = defaults();

    /** Creates the provider (ServiceLoader). */
    public EmitMetricProvider() {
        super("emit-metric", ALL);
    }

    private static Map<String, Function<PolicyContext, String>> defaults() {
        Map<String, Function<PolicyContext, String>> d = new LinkedHashMap<>();
        d.put("API ID", c -> c.api().id());
        d.put("Operation ID", c -> c.operation().id());
        d.put("Product ID", c -> c.product().map(p -> p.id()).orElse(""));
        // Gatehouse has no developer accounts: subscriptions stand for their owners.
        d.put("User ID", c -> "");
        d.put("Subscription ID", c -> c.subscription().map(s -> s.id()).orElse(""));
        d.put("Location", c -> c.deployment().region());
        d.put("Gateway ID", c -> c.deployment().gatewayId());
        return Map.copyOf(d);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("name", "namespace", "value"));
        String name = element.literalAttribute("name").map(String::trim).filter(n -> !n.isEmpty())
                .orElseThrow(() -> new PolicyConfigException("attribute 'name' is required"));
        String namespace = element.literalAttribute("namespace").map(String::trim).filter(n -> !n.isEmpty())
                .orElse("API Management");
        Optional<Value> value = element.attribute("value");
        if (value.isPresent() && !value.get().isExpression()) {
            try {
                Double.parseDouble(value.get().source().trim());
            } catch (NumberFormatException e) {
                throw new PolicyConfigException("attribute 'value' must be a number, was '" + value.get().source() + "'");
            }
        }
        List<Dimension> dimensions = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            if (!child.name().equals("dimension")) {
                throw new PolicyConfigException("unexpected <" + child.name() + ">; only <dimension> is allowed");
            }
            child.allowAttributes(Set.of("name", "value"));
            String dimension = child.literalAttribute("name").map(String::trim).filter(n -> !n.isEmpty())
                    .orElseThrow(() -> new PolicyConfigException("<dimension> needs a 'name'"));
            Optional<Value> given = child.attribute("value");
            if (given.isEmpty() && !DEFAULT_DIMENSIONS.containsKey(dimension)) {
                throw new PolicyConfigException("<dimension name=\"" + dimension + "\"> needs a 'value': only "
                        + String.join(", ", DEFAULT_DIMENSIONS.keySet().stream().sorted().toList())
                        + " fill their own");
            }
            if (dimensions.stream().anyMatch(d -> d.name().equals(dimension))) {
                throw new PolicyConfigException("<dimension name=\"" + dimension + "\"> is given twice");
            }
            dimensions.add(new Dimension(dimension, given));
        }
        if (dimensions.size() > MAX_DIMENSIONS) {
            throw new PolicyConfigException("at most " + MAX_DIMENSIONS + " dimensions, " + dimensions.size() + " given");
        }
        return new EmitMetric(namespace, name, value, List.copyOf(dimensions));
    }

    private record Dimension(String name, Optional<Value> value) {
    }

    private record EmitMetric(String namespace, String name, Optional<Value> value, List<Dimension> dimensions)
            implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            double amount = 1;
            if (value.isPresent()) {
                Object v = value.get().evaluate(context);
                if (v instanceof Number n) {
                    amount = n.doubleValue();
                } else {
                    try {
                        amount = Double.parseDouble(String.valueOf(v).trim());
                    } catch (NumberFormatException e) {
                        throw PolicyException.internal("ExpressionValueEvaluationFailure", "emit-metric '" + name
                                + "': the value '" + v + "' is not a number");
                    }
                }
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Dimension d : dimensions) {
                values.put(d.name(), d.value().isPresent() ? d.value().get().evaluateString(context)
                        : DEFAULT_DIMENSIONS.get(d.name()).apply(context));
            }
            context.emitMetric(new CustomMetric(namespace, name, amount, values));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "emit-metric[" + namespace + "/" + name + ", dimensions=" + dimensions.stream().map(Dimension::name)
                    .toList() + "]";
        }
    }
}
