package io.gatehouse.policy.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.policy.spi.Location;
import io.gatehouse.policy.spi.Value;

/** The expression table: each expression, evaluated against {@link TestExchange#standard()}, yields its text. */
class ExpressionValuesTest {

    private static final Location LOCATION = new Location("apis/echo/policy.xml", 3, 5);

    /** The HS256 token of {@link TestTokens#SIGNED}, read from a variable. */
    private static final String SIGNED = "((string)context.Variables[\"token\"]).AsJwt()";
    /** The alg-none token of {@link TestTokens#UNSECURED}. */
    private static final String UNSECURED = "((string)context.Variables[\"unsecured\"]).AsJwt()";
    /** The token of {@link TestTokens#ODD}: null, empty and mixed array claims. */
    private static final String ODD = "((string)context.Variables[\"odd\"]).AsJwt()";

    static Stream<Arguments> values() {
        return Stream.of(
                // literals
                Arguments.of("@(\"hello\")", "hello"),
                Arguments.of("@(\"a\\tb\\\\c\\\"d\")", "a\tb\\c\"d"),
                Arguments.of("@(@\"C:\\temp\\\"\"x\"\"\")", "C:\\temp\\\"x\""),
                Arguments.of("@('c')", "c"),
                Arguments.of("@(\"\\u0041\\x42\")", "AB"),
                Arguments.of("@(42)", "42"),
                Arguments.of("@(0x1F)", "31"),
                Arguments.of("@(1_000_000)", "1000000"),
                Arguments.of("@(2147483647 + 1)", "-2147483648"),
                Arguments.of("@(2147483648)", "2147483648"),
                Arguments.of("@(5L * 3)", "15"),
                Arguments.of("@(1.5)", "1.5"),
                Arguments.of("@(1.0)", "1"),
                Arguments.of("@(0.1 + 0.2)", "0.30000000000000004"),
                Arguments.of("@(1e15)", "1E+15"),
                Arguments.of("@(123456789012345.0)", "123456789012345"),
                Arguments.of("@(0.0001)", "0.0001"),
                Arguments.of("@(0.00001)", "1E-05"),
                Arguments.of("@(true)", "True"),
                Arguments.of("@(!false)", "True"),
                Arguments.of("@(null)", ""),
                // operators
                Arguments.of("@(7 / 2)", "3"),
                Arguments.of("@(7 / 2.0)", "3.5"),
                Arguments.of("@(-7 % 3)", "-1"),
                Arguments.of("@(1 / 0.0)", "Infinity"),
                Arguments.of("@(1 + 2 * 3)", "7"),
                Arguments.of("@((1 + 2) * 3)", "9"),
                Arguments.of("@(10 - 2 - 3)", "5"),
                Arguments.of("@(-(3))", "-3"),
                Arguments.of("@(+4)", "4"),
                Arguments.of("@(1 + 2 + \"x\")", "3x"),
                Arguments.of("@(\"x\" + 1 + 2)", "x12"),
                Arguments.of("@(\"v\" + true)", "vTrue"),
                Arguments.of("@(\"n\" + null)", "n"),
                Arguments.of("@(\"a\" == \"a\")", "True"),
                Arguments.of("@(\"a\" != \"b\")", "True"),
                Arguments.of("@(1 == 1L)", "True"),
                Arguments.of("@(1 == 1.0)", "True"),
                Arguments.of("@(3 < 4 && 4 <= 4)", "True"),
                Arguments.of("@(3 > 4 || 5 >= 6)", "False"),
                Arguments.of("@(true ? \"yes\" : \"no\")", "yes"),
                Arguments.of("@(1 > 2 ? 1 : 2.5)", "2.5"),
                Arguments.of("@(null ?? \"fallback\")", "fallback"),
                Arguments.of("@((string)null ?? \"d\")", "d"),
                Arguments.of("@(false && 1 / 0 == 0)", "False"),
                Arguments.of("@(true || 1 / 0 == 0)", "True"),
                // interpolated strings
                Arguments.of("@($\"Hello {context.Variables[\"user\"]}!\")", "Hello alice!"),
                Arguments.of("@($\"{{literal}} {1 + 1}\")", "{literal} 2"),
                Arguments.of("@($@\"C:\\{\"dir\"}\")", "C:\\dir"),
                Arguments.of("@($\"{(context.Response.StatusCode == 200 ? \"ok\" : \"ko\")}\")", "ok"),
                // request
                Arguments.of("@(context.Request.Method)", "POST"),
                Arguments.of("@(context.Request.Url.Path)", "/echo/orders/42"),
                Arguments.of("@(context.Request.Url.Host)", "api.contoso.com"),
                Arguments.of("@(context.Request.Url.Port)", "443"),
                Arguments.of("@(context.Request.Url.Scheme)", "https"),
                Arguments.of("@(context.Request.Url.QueryString)", "?q=hello&page=2"),
                Arguments.of("@(context.Request.Url.ToString())", "https://api.contoso.com/echo/orders/42?q=hello&page=2"),
                Arguments.of("@(context.Request.Url)", "https://api.contoso.com/echo/orders/42?q=hello&page=2"),
                Arguments.of("@(context.Request.Url.Query.GetValueOrDefault(\"q\", \"\"))", "hello"),
                Arguments.of("@(context.Request.Url.Query.GetValueOrDefault(\"missing\", \"none\"))", "none"),
                Arguments.of("@(context.Request.Url.Query[\"page\"][0])", "2"),
                Arguments.of("@(context.Request.Url.Query.ContainsKey(\"q\"))", "True"),
                Arguments.of("@(context.Request.OriginalUrl.Query.GetValueOrDefault(\"q\", \"\"))", "hello world"),
                Arguments.of("@(context.Request.OriginalUrl.ToString())",
                             "http://api.contoso.com:8080/echo/orders/42?q=hello%20world&orig=1"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"accept\", \"\"))", "application/json"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"X-Forwarded-For\", \"\"))",
                             "10.0.0.1,10.0.0.2"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"X-Missing\", \"none\"))", "none"),
                Arguments.of("@(context.Request.Headers[\"Authorization\"][0])", "Bearer abc.def.ghi"),
                Arguments.of("@(context.Request.Headers[\"X-Forwarded-For\"].Length)", "2"),
                Arguments.of("@(context.Request.Headers[\"X-Forwarded-For\"].Last())", "10.0.0.2"),
                Arguments.of("@(context.Request.Headers.ContainsKey(\"authorization\"))", "True"),
                Arguments.of("@(context.Request.Headers.ContainsKey(\"X-Missing\"))", "False"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").Split(' ')[1])",
                             "abc.def.ghi"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").Split(' ').First())",
                             "Bearer"),
                Arguments.of("@(context.Request.IpAddress)", "203.0.113.7"),
                Arguments.of("@(context.Request.Body.As<string>(preserveContent: true))", "{\"id\":42,\"name\":\"widget\"}"),
                Arguments.of("@(context.Request.Body.As<string>(true).Length)", "25"),
                Arguments.of("@(context.Request.MatchedParameters[\"id\"])", "42"),
                Arguments.of("@(context.Request.MatchedParameters.GetValueOrDefault(\"id\", \"0\"))", "42"),
                Arguments.of("@(context.Request.MatchedParameters.GetValueOrDefault(\"nope\", \"0\"))", "0"),
                Arguments.of("@(context.Request.MatchedParameters.ContainsKey(\"id\"))", "True"),
                // response
                Arguments.of("@(context.Response.StatusCode)", "200"),
                Arguments.of("@(context.Response.StatusCode >= 400)", "False"),
                Arguments.of("@(context.Response.StatusReason)", "OK"),
                Arguments.of("@(context.Response.Headers.GetValueOrDefault(\"content-type\", \"\"))", "text/plain"),
                Arguments.of("@(context.Response.Body.As<string>())", "pong"),
                // subscription, product, API, operation
                Arguments.of("@(context.Subscription.Id)", "sub-1"),
                Arguments.of("@(context.Subscription.Name)", "Alice's subscription"),
                Arguments.of("@(context.Subscription.Key)", "key-123"),
                Arguments.of("@(context.Subscription.CreatedDate.ToString(\"o\"))", "2024-01-15T10:30:00.0000000Z"),
                Arguments.of("@(context.Product.Id)", "starter"),
                Arguments.of("@(context.Product.Name)", "Starter"),
                Arguments.of("@(context.Product?.Name ?? \"none\")", "Starter"),
                Arguments.of("@(context.Product?.Name?.ToLower())", "starter"),
                Arguments.of("@(context.Product == null)", "False"),
                Arguments.of("@(context.Api.Id)", "echo-api"),
                Arguments.of("@(context.Api.Name)", "Echo API"),
                Arguments.of("@(context.Api.Path)", "echo"),
                Arguments.of("@(context.Api.Version)", "v1"),
                Arguments.of("@(context.Api.Revision)", "2"),
                Arguments.of("@(context.Operation.Id)", "get-order"),
                Arguments.of("@(context.Operation.Name)", "Get order"),
                Arguments.of("@(context.Operation.Method)", "GET"),
                Arguments.of("@(context.Operation.UrlTemplate)", "/orders/{id}"),
                // variables
                Arguments.of("@(context.Variables[\"user\"])", "alice"),
                Arguments.of("@((string)context.Variables[\"user\"] + \"!\")", "alice!"),
                Arguments.of("@(context.Variables.GetValueOrDefault<string>(\"user\"))", "alice"),
                Arguments.of("@(context.Variables.GetValueOrDefault<string>(\"missing\", \"anon\"))", "anon"),
                Arguments.of("@(context.Variables.GetValueOrDefault<int>(\"count\") + 1)", "6"),
                Arguments.of("@(context.Variables.GetValueOrDefault<int>(\"missing\"))", "0"),
                Arguments.of("@(context.Variables.GetValueOrDefault(\"missing\", 7) * 2)", "14"),
                Arguments.of("@(context.Variables.GetValueOrDefault(\"user\"))", "alice"),
                Arguments.of("@(context.Variables.GetValueOrDefault<long>(\"big\"))", "5000000000"),
                Arguments.of("@(context.Variables.ContainsKey(\"flag\"))", "True"),
                Arguments.of("@((bool)context.Variables[\"flag\"] ? \"on\" : \"off\")", "on"),
                Arguments.of("@((int)context.Variables[\"count\"] > 3)", "True"),
                Arguments.of("@((double)context.Variables[\"ratio\"] * 4)", "2"),
                Arguments.of("@(context.Variables[\"user\"].ToString().ToUpper())", "ALICE"),
                Arguments.of("@(context.Variables[\"count\"] == null)", "False"),
                // other context members
                Arguments.of("@(context.RequestId)", "0f8fad5b-d9cb-469f-a165-70867728950e"),
                Arguments.of("@(context.Deployment.Region)", "West Europe"),
                Arguments.of("@(context.Deployment.GatewayId)", "gw-west"),
                Arguments.of("@(context.Deployment.ServiceName)", "gw-west"),
                Arguments.of("@(context.LastError.Source)", "rate-limit"),
                Arguments.of("@(context.LastError.Reason)", "RateLimitExceeded"),
                Arguments.of("@(context.LastError.Message)", "Rate limit is exceeded"),
                Arguments.of("@(context.LastError.Scope)", "api:echo"),
                Arguments.of("@(context.LastError.Section)", "inbound"),
                Arguments.of("@(context.LastError.Path)", "rate-limit[1]"),
                Arguments.of("@(context.LastError.PolicyId)", "policy-1"),
                Arguments.of("@(context.Elapsed.TotalMilliseconds)", "1500"),
                Arguments.of("@(context.Elapsed.TotalSeconds)", "1.5"),
                Arguments.of("@(context.Elapsed)", "00:00:01.5000000"),
                Arguments.of("@(context.Elapsed > TimeSpan.FromSeconds(1))", "True"),
                // dates and times
                Arguments.of("@(context.Timestamp.ToString(\"o\"))", "2024-03-05T14:07:09.1234567Z"),
                Arguments.of("@(context.Timestamp.Year)", "2024"),
                Arguments.of("@(context.Timestamp.ToString(\"yyyy-MM-dd HH:mm:ss\"))", "2024-03-05 14:07:09"),
                Arguments.of("@(context.Timestamp.ToString(\"yyyyMMddTHHmmssZ\"))", "20240305T140709Z"),
                Arguments.of("@(context.Timestamp.ToString())", "03/05/2024 14:07:09"),
                Arguments.of("@(context.Timestamp.ToString(\"r\"))", "Tue, 05 Mar 2024 14:07:09 GMT"),
                Arguments.of("@(DateTime.UtcNow.ToString(\"o\"))", "2024-03-05T14:07:10.0000000Z"),
                Arguments.of("@(DateTime.Now.AddSeconds(30).ToString(\"s\"))", "2024-03-05T14:07:40"),
                Arguments.of("@(DateTime.UtcNow.Ticks)", "638452444300000000"),
                Arguments.of("@((DateTime.UtcNow - context.Timestamp).TotalMilliseconds)", "876.5433"),
                Arguments.of("@(DateTime.UtcNow > context.Timestamp)", "True"),
                Arguments.of("@(TimeSpan.FromSeconds(90).TotalMinutes)", "1.5"),
                Arguments.of("@(TimeSpan.FromMinutes(1.5))", "00:01:30"),
                // string methods
                Arguments.of("@(\"Hello\".StartsWith(\"He\"))", "True"),
                Arguments.of("@(\"Hello\".EndsWith(\"LO\", StringComparison.OrdinalIgnoreCase))", "True"),
                Arguments.of("@(\"Hello\".Contains(\"ell\"))", "True"),
                Arguments.of("@(\"Hello\".ToLower())", "hello"),
                Arguments.of("@(\"Hello\".ToUpperInvariant())", "HELLO"),
                Arguments.of("@(\"Hello\".Substring(1))", "ello"),
                Arguments.of("@(\"Hello\".Substring(1, 3))", "ell"),
                Arguments.of("@(\"a,b,,c\".Split(',').Length)", "4"),
                Arguments.of("@(\"a,b,,c\".Split(',', StringSplitOptions.RemoveEmptyEntries).Length)", "3"),
                Arguments.of("@(\"a--b--c\".Split(\"--\")[2])", "c"),
                Arguments.of("@(\"Hello\".Replace(\"l\", \"L\"))", "HeLLo"),
                Arguments.of("@(\"  pad  \".Trim() + \"|\")", "pad|"),
                Arguments.of("@(\"xxhixx\".TrimStart('x'))", "hixx"),
                Arguments.of("@(\"/path/\".TrimEnd('/'))", "/path"),
                Arguments.of("@(\"Hello\".IndexOf(\"l\"))", "2"),
                Arguments.of("@(\"Hello\".IndexOf(\"z\"))", "-1"),
                Arguments.of("@(\"Hello\".Length)", "5"),
                Arguments.of("@(\"abc\".Equals(\"ABC\", StringComparison.OrdinalIgnoreCase))", "True"),
                Arguments.of("@(\"7\".PadLeft(3, '0'))", "007"),
                Arguments.of("@(\"Hello\"[1])", "e"),
                Arguments.of("@(\"x\"?.Length)", "1"),
                // static helpers
                Arguments.of("@(string.IsNullOrEmpty(\"\"))", "True"),
                Arguments.of("@(string.IsNullOrEmpty(context.Request.Headers.GetValueOrDefault(\"X-Missing\", null)))",
                             "True"),
                Arguments.of("@(string.IsNullOrWhiteSpace(\"  \"))", "True"),
                Arguments.of("@(string.Format(\"{0}-{1}\", \"a\", 2))", "a-2"),
                Arguments.of("@(string.Format(\"{0,5}|{1:D3}|{2:F2}\", \"ab\", 7, 3.14159))", "   ab|007|3.14"),
                Arguments.of("@(string.Join(\"/\", new string[] { \"a\", \"b\", \"c\" }))", "a/b/c"),
                Arguments.of("@(string.Join(\",\", \"x;y\".Split(';')))", "x,y"),
                Arguments.of("@(String.Concat(\"a\", 1, true))", "a1True"),
                Arguments.of("@(string.Empty.Length)", "0"),
                Arguments.of("@(Convert.ToInt32(\"42\") + 1)", "43"),
                Arguments.of("@(Convert.ToInt64(\"5000000000\") * 2)", "10000000000"),
                Arguments.of("@(Convert.ToString(12))", "12"),
                Arguments.of("@(Convert.ToBoolean(\"TRUE\"))", "True"),
                Arguments.of("@(Convert.ToInt32(2.5))", "2"),
                Arguments.of("@(int.Parse(\" -17 \"))", "-17"),
                Arguments.of("@(long.Parse(\"9000000000\"))", "9000000000"),
                Arguments.of("@(Math.Min(3, 7))", "3"),
                Arguments.of("@(Math.Max(2, 3.5))", "3.5"),
                Arguments.of("@(Math.Abs(-5))", "5"),
                Arguments.of("@(Guid.NewGuid().ToString().Length)", "36"),
                Arguments.of("@((int)3.9)", "3"),
                Arguments.of("@((long)7)", "7"),
                Arguments.of("@((double)1 / 4)", "0.25"),
                Arguments.of("@(12.ToString(\"D4\"))", "0012"),
                Arguments.of("@(1234567.891.ToString(\"N2\"))", "1,234,567.89"),
                Arguments.of("@(context.Request.Headers?[\"Accept\"]?[0])", "application/json"),
                Arguments.of("@($\"{new string[] {\"a\", \"b\"}.Length} items\")", "2 items"),
                Arguments.of("@(context.Variables[\"count\"].ToString(\"D3\"))", "005"),
                Arguments.of("@(\"a b  c\".Split().Length)", "4"),
                Arguments.of("@(\"abc\".IndexOf(\"C\", StringComparison.OrdinalIgnoreCase))", "2"),
                Arguments.of("@(Math.Round(2.5))", "2"),
                Arguments.of("@(3.14159.ToString(\"0.00\"))", "3.14"),
                Arguments.of("@(string.Format(\"{0:yyyy}\", context.Timestamp))", "2024"),
                Arguments.of("@(System.DateTime.UtcNow.Hour)", "14"),
                Arguments.of("@(TimeSpan.FromDays(1.5))", "1.12:00:00"),
                Arguments.of("@(context.Elapsed.Add(TimeSpan.FromSeconds(1)).TotalSeconds)", "2.5"),
                Arguments.of("@(context.Timestamp.AddDays(1).DayOfWeek)", "Wednesday"),
                // Jwt: AsJwt() reads a token without validating it
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"X-Token\", \"\").Split(' ').Last().AsJwt()?.Subject)",
                             "alice"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"X-Token\", \"\").AsJwt()?.Claims"
                                     + ".GetValueOrDefault(\"name\", \"\"))", "Alice Smith"),
                Arguments.of("@(" + SIGNED + ".Algorithm)", "HS256"),
                Arguments.of("@(" + SIGNED + ".Type)", "JWT"),
                Arguments.of("@(" + SIGNED + ".Id)", "token-1"),
                Arguments.of("@(" + SIGNED + ".Issuer)", "https://login.contoso.com/"),
                Arguments.of("@(" + SIGNED + ".Subject)", "alice"),
                Arguments.of("@(string.Join(\";\", " + SIGNED + ".Audiences))", "api://echo;api://orders"),
                Arguments.of("@(" + SIGNED + ".Audiences.Length)", "2"),
                Arguments.of("@(" + SIGNED + ".ExpirationTime.ToString(\"o\"))", "2024-03-05T15:07:10.0000000Z"),
                Arguments.of("@(" + SIGNED + ".NotBefore.ToString(\"s\"))", "2024-03-05T14:00:00"),
                Arguments.of("@(" + SIGNED + ".IssuedAt)", "03/05/2024 14:07:00"),
                Arguments.of("@(" + SIGNED + ".ExpirationTime > DateTime.UtcNow)", "True"),
                Arguments.of("@((" + SIGNED + ".ExpirationTime - DateTime.UtcNow).TotalMinutes)", "60"),
                Arguments.of("@(" + SIGNED + ".Claims.GetValueOrDefault(\"roles\", \"\"))", "reader,writer"),
                Arguments.of("@(" + SIGNED + ".Claims[\"roles\"][1])", "writer"),
                Arguments.of("@(" + SIGNED + ".Claims[\"roles\"].Length)", "2"),
                Arguments.of("@(" + SIGNED + ".Claims.GetValueOrDefault(\"missing\", \"none\"))", "none"),
                Arguments.of("@(" + SIGNED + ".Claims.ContainsKey(\"admin\"))", "True"),
                Arguments.of("@(" + SIGNED + ".Claims.ContainsKey(\"Admin\"))", "False"),
                Arguments.of("@(" + SIGNED + ".Claims.Count)", "13"),
                Arguments.of("@(" + SIGNED + ".Claims.GetValueOrDefault(\"aud\", \"\"))", "api://echo,api://orders"),
                Arguments.of("@(" + SIGNED + ".Claims[\"admin\"][0])", "true"),
                Arguments.of("@(" + SIGNED + ".Claims[\"level\"][0])", "3"),
                Arguments.of("@(" + SIGNED + ".Claims[\"ratio\"][0])", "0.5"),
                Arguments.of("@(" + SIGNED + ".Claims[\"address\"][0])", "{\"city\":\"Paris\"}"),
                Arguments.of("@(" + SIGNED + ".Claims.GetValueOrDefault(\"exp\", \"\"))", "1709651230"),
                Arguments.of("@(" + SIGNED + ".ToString())", "Jwt"),
                Arguments.of("@(((string)context.Variables[\"token\"]).AsJwt().Subject.ToUpper())", "ALICE"),
                Arguments.of("@(" + UNSECURED + ".Algorithm)", "none"),
                Arguments.of("@(" + UNSECURED + ".Type ?? \"no typ\")", "no typ"),
                Arguments.of("@(" + UNSECURED + ".Subject)", "guest"),
                Arguments.of("@(" + UNSECURED + ".Audiences.Length + \":\" + " + UNSECURED + ".Audiences[0])", "1:api://echo"),
                Arguments.of("@(" + UNSECURED + ".Claims[\"aud\"].Length)", "1"),
                Arguments.of("@(" + UNSECURED + ".Claims.Count)", "3"),
                Arguments.of("@(" + UNSECURED + ".Issuer == null)", "True"),
                Arguments.of("@(" + UNSECURED + ".ExpirationTime == null)", "True"),
                Arguments.of("@(" + UNSECURED + ".ExpirationTime?.ToString(\"o\") ?? \"never\")", "never"),
                Arguments.of("@(" + UNSECURED + ".ExpirationTime > DateTime.UtcNow)", "False"),
                Arguments.of("@(" + UNSECURED + ".IssuedAt ?? context.Timestamp)", "03/05/2024 14:07:09"),
                Arguments.of("@(string.Join(\",\", " + ODD + ".Claims.Keys))", "sub,tags,empty,nothing,big"),
                Arguments.of("@(" + ODD + ".Claims.GetValueOrDefault(\"tags\", \"\"))", "1,true,,{\"k\":\"v\"},[2,3]"),
                Arguments.of("@(" + ODD + ".Claims[\"tags\"].Length)", "5"),
                Arguments.of("@(" + ODD + ".Claims[\"empty\"].Length)", "0"),
                Arguments.of("@(" + ODD + ".Claims.GetValueOrDefault(\"empty\", \"absent\").Length)", "0"),
                Arguments.of("@(" + ODD + ".Claims.GetValueOrDefault(\"nothing\", \"absent\").Length)", "0"),
                Arguments.of("@(" + ODD + ".Claims[\"big\"][0])", "12.5"),
                Arguments.of("@(" + ODD + ".Audiences.Length)", "0"),
                // Jwt: what is not a readable token is null
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"Authorization\", \"\").AsJwt() == null)", "True"),
                Arguments.of("@(\"abc.def.ghi\".AsJwt()?.Subject ?? \"x\")", "x"),
                Arguments.of("@(\"not a token\".AsJwt() == null)", "True"),
                Arguments.of("@(\"\".AsJwt() == null)", "True"),
                Arguments.of("@(((string)context.Variables[\"encrypted\"]).AsJwt() == null)", "True"),
                Arguments.of("@(((string)context.Variables[\"notJson\"]).AsJwt() == null)", "True"),
                Arguments.of("@(((string)context.Variables[\"padded\"]).AsJwt() == null)", "True"),
                Arguments.of("@(context.Request.Headers.GetValueOrDefault(\"X-Missing\").AsJwt() == null)", "True"),
                Arguments.of("@(((string)null).AsJwt() == null)", "True"),
                // A variable set to null (send-request ignore-error) and one holding an answer (IResponse)
                Arguments.of("@(context.Variables[\"nothing\"] == null)", "True"),
                Arguments.of("@(context.Variables.ContainsKey(\"nothing\"))", "True"),
                Arguments.of("@(context.Variables.GetValueOrDefault(\"nothing\", \"fallback\") ?? \"null\")", "null"),
                Arguments.of("@(context.Variables.GetValueOrDefault(\"unset\", \"fallback\"))", "fallback"),
                Arguments.of("@(((IResponse)context.Variables[\"sent\"]).StatusCode)", "200"),
                Arguments.of("@(((IResponse)context.Variables[\"sent\"]).Body.As<string>(preserveContent: true))", "pong"),
                Arguments.of("@(context.Variables.GetValueOrDefault<IResponse>(\"sent\").Headers"
                                     + ".GetValueOrDefault(\"Content-Type\", \"\"))", "text/plain"),
                // Jwt: a variable holding one, as validate-jwt's output-token-variable-name
                Arguments.of("@(((Jwt)context.Variables[\"jwt\"]).Subject)", "bob"),
                Arguments.of("@(context.Variables.GetValueOrDefault<Jwt>(\"jwt\").Algorithm)", "RS256"),
                Arguments.of("@(context.Variables.GetValueOrDefault<Jwt>(\"missing\")?.Subject ?? \"none\")", "none"),
                Arguments.of("@(context.Variables.GetValueOrDefault<Jwt>(\"jwt\").NotBefore == null)", "True"),
                Arguments.of("@(context.Variables[\"jwt\"].Issuer)", "https://sts.contoso.com/"),
                Arguments.of("@(context.Variables[\"jwt\"].Claims.GetValueOrDefault(\"groups\", \"\"))", "admins,users"),
                Arguments.of("@(context.Variables[\"jwt\"])", "Jwt"),
                Arguments.of("@{ Jwt t = (Jwt)context.Variables[\"jwt\"]; return t.Id; }", "token-2"),
                Arguments.of("""
                        @{
                            var token = context.Request.Headers.GetValueOrDefault("X-Token", "").AsJwt();
                            if (token == null) {
                                return "anonymous";
                            }
                            return token.Subject + "@" + token.Issuer;
                        }""", "alice@https://login.contoso.com/"),
                Arguments.of("@{ Jwt t = \"garbage\".AsJwt(); return t?.Subject ?? \"no token\"; }", "no token"),
                // blocks
                Arguments.of("@{ if (context.Product == null) return \"none\"; return context.Product.Name; }", "Starter"),
                Arguments.of("""
                        @{
                            var auth = context.Request.Headers.GetValueOrDefault("Authorization", "");
                            if (auth.StartsWith("Bearer ")) {
                                return auth.Substring(7);
                            }
                            return "anonymous";
                        }""", "abc.def.ghi"),
                Arguments.of("""
                        @{
                            int code = context.Response.StatusCode;
                            string kind;
                            if (code >= 500) kind = "server";
                            else if (code >= 400) kind = "client";
                            else kind = "ok";
                            return kind + ":" + code;
                        }""", "ok:200"),
                Arguments.of("@{ var s = \"a\"; s += \"b\"; s = s + \"c\"; return s; }", "abc"),
                Arguments.of("@{ var n = 1; if (n > 0) { var m = n * 10; return m; } else { return 0; } }", "10"),
                Arguments.of("@{ return context.Variables.ContainsKey(\"user\"); }", "True"),
                Arguments.of("@{ // a comment\n var x = 2; /* inline */ return x * x; }", "4"),
                Arguments.of("@{ long total = 1; total = total * 3; return total; }", "3"),
                Arguments.of("  @( context.Request.Method )  ", "POST"));
    }

    /** Every expression of the table yields its expected text. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("values")
    void expressionYieldsExpectedText(String source, String expected) throws Exception {
        Value value = Expressions.compile(source, LOCATION);
        assertTrue(value.isExpression());
        assertEquals(expected, value.evaluateString(TestExchange.standard()));
    }

    static Stream<Arguments> anonymousValues() {
        return Stream.of(
                Arguments.of("@(context.Product == null)", "True"),
                Arguments.of("@(context.Product?.Name ?? \"none\")", "none"),
                Arguments.of("@(context.Subscription?.Id)", ""),
                Arguments.of("@(context.Subscription?.Name.Length)", ""),
                Arguments.of("@(context.LastError == null)", "True"),
                Arguments.of("@(context.LastError?.Message ?? \"no error\")", "no error"));
    }

    /** Without product, subscription or error, those members are null, as in APIM. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("anonymousValues")
    void absentContextMembersAreNull(String source, String expected) throws Exception {
        assertEquals(expected, Expressions.compile(source, LOCATION).evaluateString(TestExchange.anonymous()));
    }
}
