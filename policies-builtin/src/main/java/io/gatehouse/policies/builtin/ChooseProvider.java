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
 * {@code choose} with {@code when condition="..."} branches and an optional {@code otherwise}: runs the policies of the
 * first branch whose condition is true, as APIM.
 */
public final class ChooseProvider extends BuiltinProvider {

    /** Creates the provider (ServiceLoader). */
    public ChooseProvider() {
        super("choose", ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of());
        List<Branch> branches = new ArrayList<>();
        Policy otherwise = null;
        for (PolicyElement child : element.children()) {
            switch (child.name()) {
                case "when" -> {
                    if (otherwise != null) {
                        throw new PolicyConfigException("<when> after <otherwise>: <otherwise> must come last");
                    }
                    child.allowAttributes(Set.of("condition"));
                    Value condition = child.requiredAttribute("condition");
                    if (!condition.isExpression()) {
                        String literal = condition.source().trim();
                        if (!literal.equalsIgnoreCase("true") && !literal.equalsIgnoreCase("false")) {
                            throw new PolicyConfigException("<when condition> must be a policy expression or true/false,"
                                    + " was '" + literal + "'");
                        }
                    }
                    branches.add(new Branch(condition, context.compileChildren(child)));
                }
                case "otherwise" -> {
                    if (otherwise != null) {
                        throw new PolicyConfigException("only one <otherwise> is allowed");
                    }
                    child.allowAttributes(Set.of());
                    otherwise = context.compileChildren(child);
                }
                default -> throw new PolicyConfigException("unexpected <" + child.name() + "> in <choose>; allowed: when,"
                        + " otherwise");
            }
        }
        if (branches.isEmpty()) {
            throw new PolicyConfigException("<choose> needs at least one <when>");
        }
        return new Choose(List.copyOf(branches), otherwise);
    }

    private record Branch(Value condition, Policy policies) {
    }

    private record Choose(List<Branch> branches, Policy otherwise) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            for (Branch branch : branches) {
                if (branch.condition().evaluateBoolean(context)) {
                    return branch.policies().apply(context);
                }
            }
            return otherwise == null ? Flow.CONTINUE : otherwise.apply(context);
        }

        @Override
        public String toString() {
            return "choose[" + branches.size() + " when" + (otherwise == null ? "" : ", otherwise") + "]";
        }
    }
}
