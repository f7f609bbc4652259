package io.gatehouse.policy.expressions;

import java.util.Map;
import java.util.Optional;

import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.LastError;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.ProductInfo;
import io.gatehouse.policy.spi.Request;
import io.gatehouse.policy.spi.Response;
import io.gatehouse.policy.spi.SubscriptionInfo;
import io.gatehouse.policy.spi.Url;
import io.gatehouse.policy.spi.Variables;

/** The members of APIM's {@code context} object model, resolved by name. */
final class ContextMembers {

    private ContextMembers() {
    }

    static CompileError unknown(Type type, String name, int pos) {
        return new CompileError("'" + type + "' does not contain a definition for '" + name + "'", pos);
    }

    private static CompileError unsupported(String what, int pos) {
        return new CompileError(what + " is not supported by Gatehouse", pos);
    }

    static Member property(Type type, String name, int pos) {
        return switch (type) {
            case CONTEXT -> context(name, pos);
            case REQUEST -> request(name, pos);
            case RESPONSE -> response(name, pos);
            case URL -> url(name, pos);
            case NAME_VALUES -> switch (name) {
                case "Count" -> Member.property(Type.INT, t -> ((NameValues) t).names().size());
                case "Keys" -> Member.property(Type.STRING_ARRAY, t -> ((NameValues) t).names().toArray(new String[0]));
                default -> throw unknown(type, name, pos);
            };
            case PARAMETERS -> switch (name) {
                case "Count" -> Member.property(Type.INT, t -> ((Map<?, ?>) t).size());
                case "Keys" -> Member.property(Type.STRING_ARRAY, t -> ((Map<?, ?>) t).keySet().toArray(new String[0]));
                default -> throw unknown(type, name, pos);
            };
            case VARIABLES -> switch (name) {
                case "Count" -> Member.property(Type.INT, t -> ((Variables) t).names().size());
                case "Keys" -> Member.property(Type.STRING_ARRAY, t -> ((Variables) t).names().toArray(new String[0]));
                default -> throw unknown(type, name, pos);
            };
            case SUBSCRIPTION -> subscription(name, pos);
            case PRODUCT -> switch (name) {
                case "Id" -> Member.property(Type.STRING, t -> ((ProductInfo) t).id());
                case "Name" -> Member.property(Type.STRING, t -> ((ProductInfo) t).name());
                case "Apis", "ApprovalRequired", "Groups", "State", "SubscriptionLimit", "SubscriptionRequired" ->
                        throw unsupported("context.Product." + name, pos);
                default -> throw unknown(type, name, pos);
            };
            case API -> api(name, pos);
            case OPERATION -> switch (name) {
                case "Id" -> Member.property(Type.STRING, t -> ((OperationInfo) t).id());
                case "Name" -> Member.property(Type.STRING, t -> ((OperationInfo) t).name());
                case "Method" -> Member.property(Type.STRING, t -> ((OperationInfo) t).method());
                case "UrlTemplate" -> Member.property(Type.STRING, t -> ((OperationInfo) t).urlTemplate());
                default -> throw unknown(type, name, pos);
            };
            case DEPLOYMENT -> switch (name) {
                case "Region" -> Member.property(Type.STRING, t -> ((Deployment) t).region());
                case "GatewayId" -> Member.property(Type.STRING, t -> ((Deployment) t).gatewayId());
                // A self-hosted gateway has no APIM service name; its gateway id plays that part.
                case "ServiceName" -> Member.property(Type.STRING, t -> ((Deployment) t).gatewayId());
                case "ServiceId", "Certificates" -> throw unsupported("context.Deployment." + name, pos);
                default -> throw unknown(type, name, pos);
            };
            case LAST_ERROR -> lastError(name, pos);
            case BODY -> throw unknown(type, name, pos);
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    private static Member context(String name, int pos) {
        return switch (name) {
            case "Request" -> Member.property(Type.REQUEST, t -> ((PolicyContext) t).request());
            case "Response" -> Member.property(Type.RESPONSE, t -> ((PolicyContext) t).response());
            case "Variables" -> Member.property(Type.VARIABLES, t -> ((PolicyContext) t).variables());
            case "Api" -> Member.property(Type.API, t -> ((PolicyContext) t).api());
            case "Operation" -> Member.property(Type.OPERATION, t -> ((PolicyContext) t).operation());
            case "Product" -> Member.property(Type.PRODUCT, t -> orNull(((PolicyContext) t).product()));
            case "Subscription" -> Member.property(Type.SUBSCRIPTION, t -> orNull(((PolicyContext) t).subscription()));
            case "LastError" -> Member.property(Type.LAST_ERROR, t -> orNull(((PolicyContext) t).lastError()));
            case "RequestId" -> Member.property(Type.STRING, t -> ((PolicyContext) t).requestId());
            case "Deployment" -> Member.property(Type.DEPLOYMENT, t -> ((PolicyContext) t).deployment());
            case "Elapsed" -> Member.property(Type.TIMESPAN, t -> ((PolicyContext) t).elapsed());
            case "Timestamp" -> Member.property(Type.DATETIME, t -> ((PolicyContext) t).timestamp());
            case "User", "Tracing", "GraphQL", "Workspace" -> throw unsupported("context." + name, pos);
            default -> throw unknown(Type.CONTEXT, name, pos);
        };
    }

    private static Object orNull(Optional<?> value) {
        return value.orElse(null);
    }

    private static Member request(String name, int pos) {
        return switch (name) {
            case "Method" -> Member.property(Type.STRING, t -> ((Request) t).method());
            case "Url" -> Member.property(Type.URL, t -> ((Request) t).url());
            case "OriginalUrl" -> Member.property(Type.URL, t -> ((Request) t).originalUrl());
            case "Headers" -> Member.property(Type.NAME_VALUES, t -> ((Request) t).headers());
            case "IpAddress" -> Member.property(Type.STRING, t -> ((Request) t).clientIp());
            case "Body" -> Member.property(Type.BODY, t -> ((Request) t).body());
            case "MatchedParameters" -> Member.property(Type.PARAMETERS, t -> ((Request) t).matchedParameters());
            case "Certificate", "PrivateEndpointConnection" -> throw unsupported("context.Request." + name, pos);
            default -> throw unknown(Type.REQUEST, name, pos);
        };
    }

    private static Member response(String name, int pos) {
        return switch (name) {
            case "StatusCode" -> Member.property(Type.INT, t -> ((Response) t).statusCode());
            case "StatusReason" -> Member.property(Type.STRING, t -> ((Response) t).statusReason());
            case "Headers" -> Member.property(Type.NAME_VALUES, t -> ((Response) t).headers());
            case "Body" -> Member.property(Type.BODY, t -> ((Response) t).body());
            default -> throw unknown(Type.RESPONSE, name, pos);
        };
    }

    private static Member url(String name, int pos) {
        return switch (name) {
            case "Scheme" -> Member.property(Type.STRING, t -> ((Url) t).scheme());
            case "Host" -> Member.property(Type.STRING, t -> ((Url) t).host());
            case "Port" -> Member.property(Type.INT, t -> ((Url) t).port());
            case "Path" -> Member.property(Type.STRING, t -> ((Url) t).path());
            case "QueryString" -> Member.property(Type.STRING, t -> ((Url) t).queryString());
            case "Query" -> Member.of(Type.NAME_VALUES, (t, a, f) -> queryOf(t, f));
            default -> throw unknown(Type.URL, name, pos);
        };
    }

    /**
     * The query of the current URL is the request's mutable query; an original URL's query is parsed from its raw
     * query string, so policies that change the query do not change {@code OriginalUrl.Query}.
     */
    private static Object queryOf(Object url, Frame frame) {
        Request request = frame.context.request();
        if (url.equals(request.url())) {
            return request.query();
        }
        return QueryView.parse(((Url) url).rawQuery());
    }

    private static Member subscription(String name, int pos) {
        return switch (name) {
            case "Id" -> Member.property(Type.STRING, t -> ((SubscriptionInfo) t).id());
            case "Name" -> Member.property(Type.STRING, t -> ((SubscriptionInfo) t).name());
            case "CreatedDate" -> Member.property(Type.DATETIME, t -> ((SubscriptionInfo) t).createdAt());
            // As APIM, the key the caller presented; reachable only here, and only if the exchange offers it.
            case "Key" -> Member.of(Type.STRING, (t, a, f) -> f.context instanceof SubscriptionKeyAccess access
                    ? access.subscriptionKey().orElse(null) : null);
            case "PrimaryKey", "SecondaryKey" -> throw new CompileError("context.Subscription." + name + " is not"
                    + " supported: the key the caller presented is context.Subscription.Key", pos);
            case "StartDate", "EndDate", "User", "Products" -> throw unsupported("context.Subscription." + name, pos);
            default -> throw unknown(Type.SUBSCRIPTION, name, pos);
        };
    }

    private static Member api(String name, int pos) {
        return switch (name) {
            case "Id" -> Member.property(Type.STRING, t -> ((ApiInfo) t).id());
            case "Name" -> Member.property(Type.STRING, t -> ((ApiInfo) t).name());
            case "Path" -> Member.property(Type.STRING, t -> ((ApiInfo) t).path());
            case "Version" -> Member.property(Type.STRING, t -> ((ApiInfo) t).version());
            case "Revision" -> Member.property(Type.STRING, t -> ((ApiInfo) t).revision());
            case "ServiceUrl", "Protocols", "IsCurrentRevision", "SubscriptionKeyParameterNames", "Workspace" ->
                    throw unsupported("context.Api." + name, pos);
            default -> throw unknown(Type.API, name, pos);
        };
    }

    private static Member lastError(String name, int pos) {
        return switch (name) {
            case "Source" -> Member.property(Type.STRING, t -> ((LastError) t).source());
            case "Reason" -> Member.property(Type.STRING, t -> ((LastError) t).reason());
            case "Message" -> Member.property(Type.STRING, t -> ((LastError) t).message());
            case "Scope" -> Member.property(Type.STRING, t -> ((LastError) t).scope());
            case "Section" -> Member.property(Type.STRING, t -> ((LastError) t).section());
            case "Path" -> Member.property(Type.STRING, t -> ((LastError) t).path());
            case "PolicyId" -> Member.property(Type.STRING, t -> ((LastError) t).policyId());
            default -> throw unknown(Type.LAST_ERROR, name, pos);
        };
    }

    // ---- methods and indexers

    static Member method(Type type, CallSite site) {
        String name = site.name();
        return switch (type) {
            case NAME_VALUES -> switch (name) {
                case "GetValueOrDefault" -> {
                    site.arity(1, 2).argument(0, Type.STRING).arguments(1, Type.STRING);
                    yield Member.of(Type.STRING, (t, a, f) -> ((NameValues) t)
                            .valueOrDefault(key(a[0]), a.length > 1 ? (String) a[1] : null));
                }
                case "ContainsKey" -> {
                    site.arity(1, 1).argument(0, Type.STRING);
                    yield Member.of(Type.BOOL, (t, a, f) -> ((NameValues) t).contains(key(a[0])));
                }
                default -> throw unknownMethod(type, site);
            };
            case PARAMETERS -> switch (name) {
                case "GetValueOrDefault" -> {
                    site.arity(1, 2).argument(0, Type.STRING).arguments(1, Type.STRING);
                    yield Member.of(Type.STRING, (t, a, f) -> {
                        Object v = ((Map<?, ?>) t).get(key(a[0]));
                        return v != null ? v : a.length > 1 ? a[1] : null;
                    });
                }
                case "ContainsKey" -> {
                    site.arity(1, 1).argument(0, Type.STRING);
                    yield Member.of(Type.BOOL, (t, a, f) -> ((Map<?, ?>) t).containsKey(key(a[0])));
                }
                default -> throw unknownMethod(type, site);
            };
            case VARIABLES -> variablesMethod(site);
            case BODY -> bodyMethod(site);
            default -> throw unknownMethod(type, site);
        };
    }

    private static String key(Object name) {
        if (name == null) {
            throw new EvaluationError("ArgumentNullException: the key cannot be null");
        }
        return (String) name;
    }

    private static CompileError unknownMethod(Type type, CallSite site) {
        try {
            property(type, site.name(), site.pos());
        } catch (CompileError notAProperty) {
            return unknown(type, site.name(), site.pos());
        }
        return site.error("'" + site.name() + "' is a property of '" + type + "', not a method");
    }

    private static Member variablesMethod(CallSite site) {
        switch (site.name()) {
            case "ContainsKey" -> {
                site.arity(1, 1).argument(0, Type.STRING);
                return Member.of(Type.BOOL, (t, a, f) -> ((Variables) t).contains(key(a[0])));
            }
            case "GetValueOrDefault" -> {
                site.arityOnly(1, 2).argument(0, Type.STRING);
                Type result;
                if (site.typeArguments().size() > 1) {
                    throw site.error("'GetValueOrDefault' takes one type argument");
                } else if (site.typeArguments().size() == 1) {
                    result = site.typeArguments().get(0);
                    if (site.size() > 1) {
                        site.argument(1, result);
                    }
                } else {
                    // As C#'s inference: T is the default value's type, or object.
                    result = site.size() > 1 && site.type(1) != Type.NULL ? site.type(1) : Type.OBJECT;
                }
                Type t = result;
                Object fallback = CSharp.defaultValue(result);
                return Member.of(result, (target, a, f) -> {
                    String name = key(a[0]);
                    Variables variables = (Variables) target;
                    Optional<Object> value = variables.get(name);
                    if (value.isEmpty()) {
                        // A variable set to null gives null, as C#'s TryGetValue would (not the default).
                        boolean setToNull = !t.isValueType() && variables.contains(name);
                        return setToNull ? null : a.length > 1 ? CSharp.widen(a[1], t) : fallback;
                    }
                    try {
                        return CSharp.cast(value.get(), t);
                    } catch (EvaluationError e) {
                        throw new EvaluationError("InvalidCastException: variable '" + name + "' is "
                                + Type.runtimeName(value.get()) + ", not " + t, -1, e);
                    }
                });
            }
            default -> throw unknownMethod(Type.VARIABLES, site);
        }
    }

    private static Member bodyMethod(CallSite site) {
        if (!site.name().equals("As")) {
            throw unknownMethod(Type.BODY, site);
        }
        if (site.typeArguments().size() != 1) {
            throw site.error("'As' needs one type argument: As<string>(preserveContent: true)");
        }
        if (site.typeArguments().get(0) != Type.STRING) {
            throw site.error("Body.As<" + site.typeArguments().get(0) + ">() is not supported; only As<string>() is");
        }
        if (site.size() > 1) {
            throw site.error("'Body.As' takes at most 1 argument, not " + site.size());
        }
        if (site.size() == 1) {
            CallSite.Arg arg = site.arg(0);
            if (arg.name() != null && !arg.name().equals("preserveContent")) {
                throw new CompileError("'Body.As' has no parameter named '" + arg.name() + "'", arg.pos());
            }
            if (!Type.assignable(arg.type(), Type.BOOL)) {
                throw new CompileError("preserveContent must be a bool, not " + arg.type(), arg.pos());
            }
        }
        return Member.of(Type.STRING, (t, a, f) -> ((Body) t).asString(a.length > 0 && CSharp.truth(a[0])));
    }

    /** {@code target[key]} on the dictionaries; a missing key fails as C#'s {@code KeyNotFoundException}. */
    static Member indexer(Type type, Type argType, int pos) {
        if (!Type.assignable(argType, Type.STRING)) {
            throw new CompileError("the index of '" + type + "' must be a string, not " + argType, pos);
        }
        return switch (type) {
            case NAME_VALUES -> Member.of(Type.STRING_ARRAY, (t, a, f) -> {
                NameValues values = (NameValues) t;
                String name = key(a[0]);
                if (!values.contains(name)) {
                    throw notFound(name);
                }
                return values.all(name).toArray(new String[0]);
            });
            case PARAMETERS -> Member.of(Type.STRING, (t, a, f) -> {
                Object v = ((Map<?, ?>) t).get(key(a[0]));
                if (v == null) {
                    throw notFound((String) a[0]);
                }
                return v;
            });
            case VARIABLES -> Member.of(Type.OBJECT, (t, a, f) -> {
                Variables variables = (Variables) t;
                String name = key(a[0]);
                if (!variables.contains(name)) {
                    throw notFound(name);
                }
                // A variable set to null (send-request with ignore-error) reads as null, as in APIM.
                return variables.get(name).orElse(null);
            });
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    private static EvaluationError notFound(String key) {
        return new EvaluationError("KeyNotFoundException: the given key '" + key + "' was not present in the dictionary");
    }
}
