using DockOpt.Engine.Security.Packages;
using System.Text;
using DockOpt.Engine.Security;

namespace DockOpt.Engine.Tests.Security.Packages;

public class RpmVersionComparerTests
{
    [Theory]
    // rpm's own rpmvercmp test vectors (tests/rpmvercmp.at in rpm-software-management/rpm)
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "2.0", -1)]
    [InlineData("2.0.1", "2.0.1a", -1)]
    [InlineData("5.5p1", "5.5p2", -1)]
    [InlineData("5.6p1", "5.5p10", 1)]
    [InlineData("10xyz", "10.1xyz", -1)]
    [InlineData("xyz10", "xyz10.1", -1)]
    [InlineData("1.0aa", "1.0a", 1)]
    [InlineData("10.0001", "10.1", 0)]
    [InlineData("2_0", "2_0", 0)]
    [InlineData("2.0", "2_0", 0)]
    [InlineData("a", "1", -1)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~rc1", "1.0~rc2", -1)]
    [InlineData("1.0~rc1~git123", "1.0~rc1", -1)]
    [InlineData("1.0^", "1.0", 1)]
    [InlineData("1.0^git1", "1.01", -1)]
    [InlineData("1.0^git1", "1.0~rc1", 1)]
    [InlineData("1.0^git1~pre", "1.0^git1", -1)]
    // EVR: epoch first, a missing epoch is 0, a release sorts after no release (rpm.vercmp in rpm 4.18)
    [InlineData("1:1.0-1", "2.0-1", 1)]
    [InlineData("0:1.0-1", "1.0-1", 0)]
    [InlineData("1.0", "1.0-5.el9", -1)]
    [InlineData("1.0-5.el9", "1.0-10.el9", -1)]
    [InlineData("2.32.1-42.el8_8", "2.32.1-42.el8_10", -1)]
    public void KnownOrderings(string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(RpmVersionComparer.Instance.Compare(a, b)));
        Assert.Equal(-expected, Math.Sign(RpmVersionComparer.Instance.Compare(b, a)));
        Assert.Same(RpmVersionComparer.Instance, VersionComparers.For("Red Hat:enterprise_linux:9::appstream"));
        Assert.Same(RpmVersionComparer.Instance, VersionComparers.For("openSUSE:Leap 15.5"));
    }

    /// <summary>A deterministic set of version pairs built from the characters rpmvercmp treats specially.</summary>
    internal static List<(string A, string B)> GeneratedPairs(int count, int seed)
    {
        var rnd = new Random(seed);
        string[] seps = { ".", ".", ".", "_", "+", "~", "^", "-", "" };
        string Segment() => rnd.Next(3) switch
        {
            0 => rnd.Next(4) == 0 ? "0" + rnd.Next(0, 30) : rnd.Next(0, 30).ToString(),
            1 => new string(Enumerable.Range(0, rnd.Next(1, 3)).Select(_ => "aAbzZr"[rnd.Next(6)]).ToArray()),
            _ => rnd.Next(0, 1000).ToString(),
        };
        string Version()
        {
            var sb = new StringBuilder();
            if (rnd.Next(5) == 0) sb.Append(rnd.Next(0, 3)).Append(':');
            sb.Append(rnd.Next(0, 10));
            var n = rnd.Next(0, 5);
            for (var i = 0; i < n; i++) sb.Append(seps[rnd.Next(seps.Length)]).Append(Segment());
            if (rnd.Next(3) == 0) sb.Append(seps[rnd.Next(6, 8)]);
            return sb.ToString();
        }
        var list = new List<(string, string)>();
        while (list.Count < count)
        {
            var a = Version();
            // Half of the pairs share a prefix so that the interesting tails decide.
            var b = rnd.Next(2) == 0 ? Version() : a[..rnd.Next(1, a.Length + 1)] + (rnd.Next(2) == 0 ? seps[rnd.Next(seps.Length)] + Segment() : "");
            if (b.EndsWith(':') || b.Length == 0) continue;
            list.Add((a, b));
        }
        return list;
    }

    [RequiresProgramFact("rpm")]
    public void AgreesWithRpmOnAGeneratedSet()
    {
        var pairs = GeneratedPairs(20000, 16);
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, pairs.Select(p => p.A + "\t" + p.B));
            // One rpm call for the whole set: rpm's embedded Lua reads the pairs and prints rpm.vercmp for each.
            var lua = "%{lua: for l in io.lines(\"" + file + "\") do local a, b = l:match(\"^(.-)\\t(.*)$\"); print(rpm.vercmp(a, b) .. \" \") end}";
            var (code, output, err) = TestTools.Run("rpm", new[] { "--eval", lua });
            Assert.True(code == 0, err);
            var results = output.Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.Equal(pairs.Count, results.Count);
            var mismatches = pairs.Zip(results).Where(x => Math.Sign(RpmVersionComparer.Instance.Compare(x.First.A, x.First.B)) != Math.Sign(x.Second))
                .Select(x => $"{x.First.A} vs {x.First.B}: rpm {x.Second}, ours {RpmVersionComparer.Instance.Compare(x.First.A, x.First.B)}").ToList();
            Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {pairs.Count} differ:\n" + string.Join("\n", mismatches.Take(20)));
            // The set must exercise every special case, or the comparison proves little.
            Assert.Contains(pairs, p => p.A.Contains('~') && p.B.Contains('^'));
            Assert.Contains(pairs, p => p.A.Contains(':'));
            Assert.True(results.Count(r => r == 0) > 100 && results.Count(r => r < 0) > 1000 && results.Count(r => r > 0) > 1000);
        }
        finally { File.Delete(file); }
    }
}
