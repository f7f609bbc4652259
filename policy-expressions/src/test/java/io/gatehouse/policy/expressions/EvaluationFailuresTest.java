package io.gatehouse.policy.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** Expressions that compile but fail when they run raise ExpressionValueEvaluationFailure, as APIM. */
class EvaluationFailuresTest {

    private static final Location LOCATION = new Location("apis/echo/policy.xml", 7, 3);

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("@(context.Request.Headers[\"X-Missing\"][0])", "KeyNotFoundException: the given key 'X-Missing'"),
                Arguments.of("@(context.Variables[\"nope\"])", "KeyNotFoundException"),
                Arguments.of("@(int.Parse(\"abc\"))", "FormatException"),
                Arguments.of("@(1 / (context.Response.StatusCode - 200))", "DivideByZeroException"),
                Arguments.of("@(context.Response.StatusCode % 0)", "DivideByZeroException"),
                Arguments.of("@((int)context.Variables[\"user\"])", "InvalidCastException: unable to cast String to int"),
                Arguments.of("@(context.Variables.GetValueOrDefault<int>(\"user\"))", "InvalidCastException"),
                Arguments.of("@(context.Variables.GetValueOrDefault<string>(\"missing\").Length)", "NullReferenceException"),
                Arguments.of("@(\"abc\".Substring(5))", "ArgumentOutOfRangeException"),
                Arguments.of("@(context.Variables[\"count\"].Foo())",
                             "'int' does not contain a definition for 'Foo' (the value is Int32)"),
                Arguments.of("@(\"a,b\".Split(',')[5])", "IndexOutOfRangeException"),
                Arguments.of("@(Convert.ToInt32(\"99999999999\"))", "OverflowException"),
                Arguments.of("@(string.Format(\"{1}\", \"a\"))", "FormatException"),
                Arguments.of("@{ string s = null; return s.Length; }", "NullReferenceException"),
                Arguments.of("@(long.Parse(\"9223372036854775808\"))", "OverflowException"),
                Arguments.of("@(Math.Abs(int.MinValue))", "OverflowException"),
                Arguments.of("@(new string[] { }.First())", "InvalidOperationException"),
                Arguments.of("@((bool)context.Variables.GetValueOrDefault(\"missing\") ? 1 : 0)", "NullReferenceException"),
                Arguments.of("@(\"x\".Replace(\"\", \"y\"))", "ArgumentException"),
                // Jwt
                Arguments.of("@((Jwt)context.Variables[\"user\"])", "InvalidCastException: unable to cast String to Jwt"),
                Arguments.of("@(context.Variables.GetValueOrDefault<Jwt>(\"user\"))",
                             "InvalidCastException: variable 'user' is String, not Jwt"),
                Arguments.of("@((string)context.Variables[\"jwt\"])", "InvalidCastException: unable to cast Jwt to string"),
                Arguments.of("@(((Jwt)context.Variables[\"jwt\"]).Claims[\"missing\"])",
                             "KeyNotFoundException: the given key 'missing' was not present"),
                Arguments.of("@(\"x\".AsJwt().Subject)",
                             "failed at 1:15: NullReferenceException: member 'Subject' was used on null"),
                Arguments.of("@(((Jwt)context.Variables[\"jwt\"]).NotBefore.Year)",
                             "NullReferenceException: member 'Year' was used on null"),
                Arguments.of("@(context.Variables[\"jwt\"].Foo)",
                             "'Jwt' does not contain a definition for 'Foo' (the value is Jwt)"));
    }

    /** A run-time failure is an internal ExpressionValueEvaluationFailure naming the expression and the cause. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void runtimeFailureIsExpressionValueEvaluationFailure(String source, String expected) throws Exception {
        Value value = Expressions.compile(source, LOCATION);
        PolicyException e = assertThrows(PolicyException.class, () -> value.evaluate(TestExchange.standard()));
        assertEquals("ExpressionValueEvaluationFailure", e.reason());
        assertEquals(500, e.statusCode());
        assertFalse(e.clientVisible());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(source.strip()), e.getMessage());
    }

    /** Reading a member of an absent product is a null dereference, reported with its position. */
    @org.junit.jupiter.api.Test
    void memberOfAbsentProductFailsWithPosition() throws Exception {
        Value value = Expressions.compile("@(context.Product.Name)", LOCATION);
        PolicyException e = assertThrows(PolicyException.class, () -> value.evaluate(TestExchange.anonymous()));
        assertEquals("ExpressionValueEvaluationFailure", e.reason());
        assertTrue(e.getMessage().contains("failed at 1:19: NullReferenceException"), e.getMessage());
    }
}
