package io.gatehouse.policy.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Value;

/** How compiled values behave beyond the expression table: literals, result types, conversions, side effects. */
class ExpressionsTest {

    private static final Location LOCATION = new Location("policy.xml", 1, 1);

    private static Value compile(String text) throws PolicyConfigException {
        return Expressions.compile(text, LOCATION);
    }

    private static Object evaluate(String text) throws Exception {
        return compile(text).evaluate(TestExchange.standard());
    }

    /** Text that is not @(...) or @{...} is a literal: its own value, untrimmed. */
    @Test
    void literalTextEvaluatesToItself() throws Exception {
        Value value = compile("  hello @(not code) ");
        assertFalse(value.isExpression());
        assertEquals("  hello @(not code) ", value.evaluate(TestExchange.standard()));
        assertEquals("  hello @(not code) ", value.evaluateString(TestExchange.standard()));
        assertEquals("  hello @(not code) ", value.source());
    }

    /** Only text starting with @( or @{ (after white space) is an expression. */
    @Test
    void isExpressionRecognisesBothForms() {
        assertTrue(Expressions.isExpression("@(1)"));
        assertTrue(Expressions.isExpression("\n  @{ return 1; }\n"));
        assertFalse(Expressions.isExpression("@@(1)"));
        assertFalse(Expressions.isExpression("value @(1)"));
        assertFalse(Expressions.isExpression("@"));
    }

    /** An expression keeps its source as written and says it is one. */
    @Test
    void expressionKeepsItsSource() throws Exception {
        Value value = compile(" @(1) ");
        assertTrue(value.isExpression());
        assertEquals(" @(1) ", value.source());
    }

    /** Results are plain JDK values: C# int is Integer, long is Long, double is Double. */
    @Test
    void resultsHaveCSharpNumericTypes() throws Exception {
        assertEquals(Integer.valueOf(3), evaluate("@(1 + 2)"));
        assertEquals(Long.valueOf(3), evaluate("@(1 + 2L)"));
        assertEquals(Double.valueOf(3), evaluate("@(1 + 2.0)"));
        assertEquals(Boolean.TRUE, evaluate("@(1 < 2)"));
        assertEquals(Integer.valueOf(200), evaluate("@(context.Response.StatusCode)"));
        assertNull(evaluate("@(null)"));
        assertEquals(Duration.ofMillis(1500), evaluate("@(context.Elapsed)"));
        assertEquals(TestExchange.RECEIVED, evaluate("@(context.Timestamp)"));
        assertEquals(Integer.valueOf(5), evaluate("@{ int x = 5; return x; }"));
    }

    /** evaluateBoolean accepts booleans and the strings true/false in any case, and nothing else. */
    @Test
    void evaluateBooleanAcceptsBooleansAndBooleanStrings() throws Exception {
        TestExchange exchange = TestExchange.standard();
        assertTrue(compile("@(context.Request.Method == \"POST\")").evaluateBoolean(exchange));
        assertTrue(compile("@(\"TRUE\")").evaluateBoolean(exchange));
        assertFalse(compile("@(\" false \")").evaluateBoolean(exchange));
        assertTrue(compile("True").evaluateBoolean(exchange));
        PolicyException e = assertThrows(PolicyException.class, () -> compile("@(5)").evaluateBoolean(exchange));
        assertEquals("ExpressionValueEvaluationFailure", e.reason());
    }

    /** evaluateLong accepts integers, whole doubles and integer strings. */
    @Test
    void evaluateLongAcceptsNumbersAndNumericStrings() throws Exception {
        TestExchange exchange = TestExchange.standard();
        assertEquals(5_000_000_000L, compile("@(5000000000L)").evaluateLong(exchange));
        assertEquals(6, compile("@(context.Variables.GetValueOrDefault<int>(\"count\") + 1)").evaluateLong(exchange));
        assertEquals(42, compile("@(\"42\")").evaluateLong(exchange));
        assertEquals(2, compile("@(2.0)").evaluateLong(exchange));
        assertEquals(10, compile("10").evaluateLong(exchange));
        assertEquals("ExpressionValueEvaluationFailure",
                     assertThrows(PolicyException.class, () -> compile("@(2.5)").evaluateLong(exchange)).reason());
        assertEquals("ExpressionValueEvaluationFailure",
                     assertThrows(PolicyException.class, () -> compile("@(\"x\")").evaluateLong(exchange)).reason());
    }

    /** As<string>() consumes the body; As<string>(preserveContent: true) leaves it to be forwarded. */
    @Test
    void bodyIsConsumedUnlessPreserved() throws Exception {
        TestExchange exchange = TestExchange.standard();
        compile("@(context.Request.Body.As<string>(preserveContent: true))").evaluate(exchange);
        assertFalse(exchange.request.body.consumed);
        assertEquals("{\"id\":42,\"name\":\"widget\"}", compile("@(context.Request.Body.As<string>())").evaluate(exchange));
        assertTrue(exchange.request.body.consumed);
    }

    /** The subscription key is only reachable through an exchange that offers it. */
    @Test
    void subscriptionKeyNeedsKeyAccess() throws Exception {
        Value key = compile("@(context.Subscription.Key ?? \"no key\")");
        assertEquals("key-123", key.evaluateString(TestExchange.standard()));
        assertEquals("no key", key.evaluateString(new TestExchange()));
    }

    /** One compiled value serves many exchanges and sees each one's state. */
    @Test
    void compiledValueIsReusedAcrossExchanges() throws Exception {
        Value value = compile("@(context.Request.Url.Query.GetValueOrDefault(\"q\", \"-\"))");
        TestExchange first = TestExchange.standard();
        TestExchange second = TestExchange.standard();
        second.request.query.set("q", "changed");
        assertEquals("hello", value.evaluateString(first));
        assertEquals("changed", value.evaluateString(second));
        assertEquals("hello", value.evaluateString(first));
    }

    /** DateTime.UtcNow reads the exchange's clock, not the system clock. */
    @Test
    void utcNowComesFromTheServicesClock() throws Exception {
        assertEquals(TestExchange.NOW, evaluate("@(DateTime.UtcNow)"));
        assertEquals(Instant.parse("2024-03-05T00:00:00Z"), evaluate("@(DateTime.Today)"));
    }

    /** Each Guid.NewGuid() call yields a new GUID. */
    @Test
    void newGuidDiffersPerEvaluation() throws Exception {
        Value value = compile("@(Guid.NewGuid().ToString())");
        assertFalse(value.evaluateString(TestExchange.standard()).equals(value.evaluateString(TestExchange.standard())));
    }

    /** ToString on an object-typed value is known to be a string, so it concatenates and compares as one. */
    @Test
    void toStringOnObjectIsAString() throws Exception {
        assertEquals("51", evaluate("@(context.Variables[\"count\"].ToString() + 1)"));
        assertEquals(Boolean.TRUE, evaluate("@(context.Variables[\"user\"].ToString() == \"alice\")"));
    }

    /** AsJwt() yields the SPI's Jwt, the type validate-jwt stores, and a variable holding one is passed through as is. */
    @Test
    void asJwtYieldsTheSpiJwt() throws Exception {
        assertEquals(Jwts.parse(TestTokens.SIGNED).orElseThrow(),
                     evaluate("@(((string)context.Variables[\"token\"]).AsJwt())"));
        assertSame(TestTokens.VALIDATED, evaluate("@((Jwt)context.Variables[\"jwt\"])"));
        assertNull(evaluate("@(\"abc.def.ghi\".AsJwt())"));
    }

    /** A block's locals do not leak between evaluations. */
    @Test
    void blockLocalsStartFreshEachEvaluation() throws Exception {
        Value value = compile("@{ int n; n = n + context.Response.StatusCode; return n; }");
        assertEquals(200, value.evaluate(TestExchange.standard()));
        assertEquals(200, value.evaluate(TestExchange.standard()));
    }

    /** A compile error's position counts lines and columns from the '@'. */
    @Test
    void errorPositionCountsFromTheAt() {
        PolicyConfigException e = assertThrows(PolicyConfigException.class,
                                               () -> compile("\n\n   @{\n return context.Nope;\n}"));
        assertEquals("expression at 2:17: 'context' does not contain a definition for 'Nope'", e.getMessage());
    }
}
