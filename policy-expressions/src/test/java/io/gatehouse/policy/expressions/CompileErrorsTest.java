package io.gatehouse.policy.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.PolicyConfigException;

/** Expressions that do not compile are refused at load, with the line and column within the expression. */
class CompileErrorsTest {

    private static final Location LOCATION = new Location("apis/echo/policy.xml", 12, 9);

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("@(context.Request.Method", "1:25: expected ')' but found end of input"),
                Arguments.of("@(context.Foo)", "1:11: 'context' does not contain a definition for 'Foo'"),
                Arguments.of("@(context.Request.Foo)", "1:19: 'IRequest' does not contain a definition for 'Foo'"),
                Arguments.of("@(\"abc\".Foo())", "1:9: 'string' does not contain a definition for 'Foo'"),
                Arguments.of("@(context.Request.Body.As<JObject>())", "1:27: type 'JObject' is not supported"),
                Arguments.of("@(context.Request.Body.As<int>())", "1:24: Body.As<int>() is not supported"),
                Arguments.of("@(1 + )", "1:7: expected an expression but found ')'"),
                Arguments.of("@{ var x = 1; }", "1:15: not all code paths return a value"),
                Arguments.of("@{ if (true) { return 1; } }", "1:28: not all code paths return a value"),
                Arguments.of("@(\"a\" == 1)", "1:7: operator '==' cannot be applied to operands of type 'string' and 'int'"),
                Arguments.of("@(unknown + 1)", "1:3: the name 'unknown' does not exist in the current context"),
                Arguments.of("@(context.Request.Method.Substring(\"x\"))",
                             "1:36: argument 1 of 'string.Substring' must be int, not string"),
                Arguments.of("@(\"unterminated)", "1:3: unterminated string literal"),
                Arguments.of("@{\n  var x = 1;\n  return x +;\n}", "3:13: expected an expression but found ';'"),
                Arguments.of("@(context.Variables[\"x\"].Length + 1)",
                             "1:33: operator '+' cannot be applied to operands of type 'object' and 'int'"),
                Arguments.of("@((string)5)", "1:3: cannot convert type 'int' to 'string'"),
                Arguments.of("@(context.Subscription.PrimaryKey)", "1:24: context.Subscription.PrimaryKey is not supported"),
                Arguments.of("@(context.Request.Method.Length())",
                             "1:26: 'Length' is a property of 'string', not a method"),
                Arguments.of("@(1 ? \"a\" : \"b\")", "1:3: a condition must be a bool, not int"),
                Arguments.of("@(x => x)", "1:5: lambda expressions are not supported"),
                Arguments.of("@($\"{context.Request.Method:X}\")", "1:28: format and alignment specifiers"),
                Arguments.of("@(context.Request.Method) trailing",
                             "1:27: unexpected 'trailing' after the expression's closing ')'"),
                Arguments.of("@{ return 1;", "1:13: expected '}' but found end of input"),
                Arguments.of("@{ if (true) var x = 1; return 1; }", "1:14: a declaration is not allowed here"),
                Arguments.of("@(context.Variables.GetValueOrDefault<int>(\"count\", \"five\"))",
                             "1:53: argument 2 of 'IReadOnlyDictionary<string, object>.GetValueOrDefault' must be int"),
                Arguments.of("@{ var x = 1; var x = 2; return x; }", "1:15: a local variable named 'x' is already defined"),
                Arguments.of("@{ int x = \"s\"; return x; }", "1:12: cannot implicitly convert type 'string' to 'int'"),
                Arguments.of("@(context.User.Id)", "1:11: context.User is not supported by Gatehouse"),
                Arguments.of("@(Regex.IsMatch(\"a\", \"b\"))", "1:3: 'Regex' is not supported by Gatehouse expressions"),
                Arguments.of("@(\"a\".StartsWith())", "1:7: 'string.StartsWith' takes 1 to 2 arguments, not 0"),
                Arguments.of("@(context.Request.Headers[0])", "1:26: the index of"),
                Arguments.of("@(1.5m)", "1:3: decimal literals are not supported"),
                Arguments.of("@(context.Request.Method < \"B\")",
                             "1:26: operator '<' cannot be applied to operands of type 'string' and 'string'"),
                Arguments.of("@(context.Request.Body.As<string>(keep: true))",
                             "1:35: 'Body.As' has no parameter named 'keep'"),
                Arguments.of("@(context.Request.Method is \"GET\")", "1:26: the 'is' operator is not supported"),
                Arguments.of("@(System.Text.Encoding.UTF8)", "1:10: 'System.Text' is not supported"),
                Arguments.of("@(string.Join)", "1:10: 'string' does not contain a definition for 'Join'"),
                Arguments.of("@(context.Variables[\"x\"] = 1)", "1:26: expected ')' but found '='"),
                Arguments.of("@{ context.Variables[\"x\"] = 1; return 1; }", "1:27: only local variables can be assigned"),
                // Jwt
                Arguments.of("@(\"x\".AsJwt().Foo)", "1:15: 'Jwt' does not contain a definition for 'Foo'"),
                Arguments.of("@(\"x\".AsJwt().Claims.GetValueOrDefault(1, \"\"))",
                             "1:40: argument 1 of 'IReadOnlyDictionary<string, string[]>.GetValueOrDefault' must be string,"
                                     + " not int"),
                Arguments.of("@(\"x\".AsJwt(\"y\"))", "1:7: 'string.AsJwt' takes 0 arguments, not 1"),
                Arguments.of("@(\"x\".AsJwt().Subject())", "1:15: 'Subject' is a property of 'Jwt', not a method"),
                Arguments.of("@((Jwt)\"abc\")", "1:3: cannot convert type 'string' to 'Jwt'"),
                Arguments.of("@{ Jwt t = \"abc\"; return 1; }", "1:12: cannot implicitly convert type 'string' to 'Jwt'"),
                Arguments.of("@(context.Variables.GetValueOrDefault<Jwt>(\"jwt\", \"x\"))",
                             "1:51: argument 2 of 'IReadOnlyDictionary<string, object>.GetValueOrDefault' must be Jwt,"
                                     + " not string"),
                Arguments.of("@(\"x\".AsJwt().Claims[0])",
                             "1:21: the index of 'IReadOnlyDictionary<string, string[]>' must be a string, not int"),
                Arguments.of("@(\"x\".AsJwt().ExpirationTime.Value)",
                             "1:30: 'DateTime' does not contain a definition for 'Value'"),
                Arguments.of("@(\"x\".TryParseJwt())", "1:7: 'string.TryParseJwt' is not supported (no out arguments)"),
                Arguments.of("@{ Jwt j; return \"x\".TryParseJwt(out j); }", "1:34: 'out' arguments are not supported"),
                Arguments.of("@(Jwt.Parse(\"x\"))", "1:7: 'Jwt' does not contain a definition for 'Parse'"),
                Arguments.of("@(Jwt)", "1:3: 'Jwt' is a type, not a value"));
    }

    /** A compile error names the position within the expression and what was wrong. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void compileErrorNamesPositionAndProblem(String source, String expected) {
        PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> Expressions.compile(source, LOCATION));
        assertTrue(e.getMessage().startsWith("expression at "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    /** The exception keeps the element's location, which the engine reports with the message. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void compileErrorKeepsLocation(String source, String expected) {
        PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> Expressions.compile(source, LOCATION));
        assertEquals(LOCATION, ((ExpressionConfigException) e).location());
    }
}
