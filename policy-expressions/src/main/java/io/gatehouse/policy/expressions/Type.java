package io.gatehouse.policy.expressions;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.Jwt;
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

/**
 * The static types the checker knows, named as C# and APIM name them in messages. Each has one Java representation
 * at run time (see {@link #ofValue(Object)}).
 */
enum Type {
    STRING("string"),
    BOOL("bool"),
    INT("int"),
    LONG("long"),
    DOUBLE("double"),
    OBJECT("object"),
    /** The type of the {@code null} literal. */
    NULL("null"),
    STRING_ARRAY("string[]"),
    CONTEXT("context"),
    REQUEST("IRequest"),
    RESPONSE("IResponse"),
    URL("IUrl"),
    /** Headers and query parameters: {@code IReadOnlyDictionary<string, string[]>}. */
    NAME_VALUES("IReadOnlyDictionary<string, string[]>"),
    /** Matched URL template parameters. */
    PARAMETERS("IReadOnlyDictionary<string, string>"),
    BODY("IMessageBody"),
    VARIABLES("IReadOnlyDictionary<string, object>"),
    SUBSCRIPTION("ISubscription"),
    PRODUCT("IProduct"),
    API("IApi"),
    OPERATION("IOperation"),
    DEPLOYMENT("IDeployment"),
    LAST_ERROR("ILastError"),
    TIMESPAN("TimeSpan"),
    DATETIME("DateTime"),
    GUID("Guid"),
    /** A decoded token, APIM's {@code Jwt}: from {@code AsJwt()} or a variable {@code validate-jwt} set. */
    JWT("Jwt"),
    STRING_COMPARISON("StringComparison"),
    SPLIT_OPTIONS("StringSplitOptions");

    private final String csharpName;

    Type(String csharpName) {
        this.csharpName = csharpName;
    }

    @Override
    public String toString() {
        return csharpName;
    }

    boolean isNumeric() {
        return this == INT || this == LONG || this == DOUBLE;
    }

    /** C# value types: a null literal does not convert to them. */
    boolean isValueType() {
        return switch (this) {
            case BOOL, INT, LONG, DOUBLE, TIMESPAN, DATETIME, GUID, STRING_COMPARISON, SPLIT_OPTIONS -> true;
            default -> false;
        };
    }

    /** Whether a value of type {@code from} converts implicitly to {@code to}, as C#. */
    static boolean assignable(Type from, Type to) {
        if (from == to || to == OBJECT) {
            return true;
        }
        return switch (from) {
            case NULL -> !to.isValueType();
            case INT -> to == LONG || to == DOUBLE;
            case LONG -> to == DOUBLE;
            default -> false;
        };
    }

    /** The type of a run-time value, for members called on a value of static type {@code object}. */
    static Type ofValue(Object v) {
        return switch (v) {
            case String s -> STRING;
            case Boolean b -> BOOL;
            case Integer i -> INT;
            case Long l -> LONG;
            case Double d -> DOUBLE;
            case String[] a -> STRING_ARRAY;
            case Duration d -> TIMESPAN;
            case Instant i -> DATETIME;
            case UUID u -> GUID;
            case Jwt j -> JWT;
            case StringComparison c -> STRING_COMPARISON;
            case SplitOptions o -> SPLIT_OPTIONS;
            case PolicyContext c -> CONTEXT;
            case Request r -> REQUEST;
            case Response r -> RESPONSE;
            case Url u -> URL;
            case NameValues n -> NAME_VALUES;
            case Body b -> BODY;
            case Variables vs -> VARIABLES;
            case SubscriptionInfo s -> SUBSCRIPTION;
            case ProductInfo p -> PRODUCT;
            case ApiInfo a -> API;
            case OperationInfo o -> OPERATION;
            case Deployment d -> DEPLOYMENT;
            case LastError e -> LAST_ERROR;
            default -> OBJECT;
        };
    }

    /** The .NET name of a run-time value's type, for messages such as C#'s invalid cast. */
    static String runtimeName(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "String";
            case Boolean b -> "Boolean";
            case Integer i -> "Int32";
            case Long l -> "Int64";
            case Double d -> "Double";
            case String[] a -> "String[]";
            default -> {
                Type t = ofValue(v);
                yield t == OBJECT ? v.getClass().getSimpleName() : t.toString();
            }
        };
    }
}
