package io.gatehouse.policy.expressions;

/** Resolves instance members by the receiver's static (or, for {@code object}, run-time) type. */
final class Members {

    private Members() {
    }

    private static boolean isContextModel(Type type) {
        return switch (type) {
            case CONTEXT, REQUEST, RESPONSE, URL, NAME_VALUES, PARAMETERS, BODY, VARIABLES, SUBSCRIPTION, PRODUCT, API,
                 OPERATION, DEPLOYMENT, LAST_ERROR -> true;
            default -> false;
        };
    }

    static Member property(Type type, String name, int pos) {
        return isContextModel(type) ? ContextMembers.property(type, name, pos) : ValueMembers.property(type, name, pos);
    }

    static Member method(Type type, CallSite site) {
        if (isContextModel(type)) {
            if (site.name().equals("ToString")) {
                site.arity(0, 0);
                return Member.of(Type.STRING, (t, a, f) -> CSharp.toText(t));
            }
            if (site.name().equals("Equals")) {
                site.arity(1, 1);
                return Member.of(Type.BOOL, (t, a, f) -> t.equals(a[0]));
            }
            return ContextMembers.method(type, site);
        }
        return ValueMembers.method(type, site);
    }

    static Member indexer(Type type, Type argType, int pos) {
        return switch (type) {
            case NAME_VALUES, PARAMETERS, VARIABLES -> ContextMembers.indexer(type, argType, pos);
            default -> ValueMembers.indexer(type, argType, pos);
        };
    }
}
