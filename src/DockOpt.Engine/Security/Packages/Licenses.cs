using System.Text.RegularExpressions;

namespace DockOpt.Engine.Security.Packages;

/// <summary>
/// Licence strings: recognises SPDX expressions (ids of the SPDX licence list that packages commonly use, LicenseRef-,
/// AND/OR/WITH, parentheses, '+'), maps a few well-known licence names to SPDX ids, and keeps anything else as raw text.
/// </summary>
public static class Licenses
{
    static readonly HashSet<string> Ids = new(StringComparer.OrdinalIgnoreCase)
    {
        "0BSD", "AFL-2.1", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "AGPL-3.0", "Apache-1.1", "Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-1.0-Perl",
        "Artistic-2.0", "Beerware", "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSD-Source-Code",
        "BSL-1.0", "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "CPL-1.0", "curl", "EPL-1.0",
        "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "FSFAP", "FSFUL", "FSFULLR", "FTL", "GFDL-1.1-or-later", "GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3-only",
        "GFDL-1.3-or-later", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-2.0", "GPL-3.0-only", "GPL-3.0-or-later",
        "GPL-3.0", "HPND", "ICU", "IJG", "ISC", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-2.1", "LGPL-3.0-only",
        "LGPL-3.0-or-later", "LGPL-3.0", "Libpng", "libpng-2.0", "LPPL-1.3c", "MIT", "MIT-0", "MIT-CMU", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception",
        "MS-PL", "NCSA", "OFL-1.1", "OpenSSL", "PHP-3.0", "PHP-3.01", "PostgreSQL", "PSF-2.0", "Python-2.0", "Ruby", "SGI-B-2.0", "Sleepycat", "SSPL-1.0",
        "Unicode-3.0", "Unicode-DFS-2016", "Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11", "XFree86-1.1", "Zlib", "zlib-acknowledgement", "ZPL-2.1",
        "SUSE-Public-Domain", "GPL-2.0+", "LGPL-2.1+", "GPL-3.0+", "LGPL-3.0+", "LGPL-2.0+", "AGPL-3.0+",
    };

    static readonly HashSet<string> Exceptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2", "Classpath-exception-2.0", "GCC-exception-2.0", "GCC-exception-3.1",
        "LLVM-exception", "OpenSSL-exception", "Linux-syscall-note", "Font-exception-2.0", "Libtool-exception", "openvpn-openssl-exception",
    };

    static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["The Apache Software License, Version 2.0"] = "Apache-2.0", ["Apache License, Version 2.0"] = "Apache-2.0", ["Apache License 2.0"] = "Apache-2.0",
        ["Apache 2.0"] = "Apache-2.0", ["Apache 2"] = "Apache-2.0", ["Apache-2"] = "Apache-2.0", ["ASL 2.0"] = "Apache-2.0", ["Apache Software License"] = "Apache-2.0",
        ["The MIT License"] = "MIT", ["MIT License"] = "MIT", ["Expat"] = "MIT", ["BSD License"] = "BSD-3-Clause", ["New BSD License"] = "BSD-3-Clause",
        ["The BSD 3-Clause License"] = "BSD-3-Clause", ["BSD 3-Clause"] = "BSD-3-Clause", ["BSD 2-Clause"] = "BSD-2-Clause", ["Simplified BSD License"] = "BSD-2-Clause",
        ["Eclipse Public License 2.0"] = "EPL-2.0", ["Eclipse Public License - v 2.0"] = "EPL-2.0", ["Eclipse Public License - v 1.0"] = "EPL-1.0",
        ["Mozilla Public License 2.0"] = "MPL-2.0", ["MPLv2.0"] = "MPL-2.0", ["ISC License"] = "ISC", ["GPLv2"] = "GPL-2.0-only", ["GPLv2+"] = "GPL-2.0-or-later",
        ["GPLv3"] = "GPL-3.0-only", ["GPLv3+"] = "GPL-3.0-or-later", ["LGPLv2"] = "LGPL-2.0-only", ["LGPLv2+"] = "LGPL-2.0-or-later", ["LGPLv2.1"] = "LGPL-2.1-only",
        ["LGPLv2.1+"] = "LGPL-2.1-or-later", ["LGPLv3"] = "LGPL-3.0-only", ["LGPLv3+"] = "LGPL-3.0-or-later", ["Public Domain"] = "LicenseRef-Public-Domain",
        ["PSF"] = "PSF-2.0", ["Python Software Foundation License"] = "PSF-2.0", ["zlib/libpng"] = "Zlib", ["CC0"] = "CC0-1.0",
    };

    static readonly Regex Token = new(@"\(|\)|[A-Za-z0-9.\-]+\+?|\S", RegexOptions.CultureInvariant);

    /// <summary>The SPDX id for a well-known licence name, the text itself when it already is an SPDX expression, else the trimmed text.</summary>
    public static string Normalize(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) return "";
        if (Names.TryGetValue(t, out var id)) return id;
        if (IsSpdxExpression(t)) return Regex.Replace(t, @"(?<=\s)(and|or|with)(?=\s)", m => m.Value.ToUpperInvariant(), RegexOptions.IgnoreCase);
        return t;
    }

    /// <summary>True when <paramref name="text"/> parses as an SPDX licence expression over known ids (case as in the list not required).</summary>
    public static bool IsSpdxExpression(string text)
    {
        var tokens = Token.Matches(text).Select(m => m.Value).ToList();
        if (tokens.Count == 0) return false;
        var pos = 0;
        bool Expr()
        {
            if (!Term()) return false;
            while (pos < tokens.Count && (tokens[pos] is "AND" or "OR" or "and" or "or"))
            {
                pos++;
                if (!Term()) return false;
            }
            return true;
        }
        bool Term()
        {
            if (pos >= tokens.Count) return false;
            if (tokens[pos] == "(")
            {
                pos++;
                if (!Expr() || pos >= tokens.Count || tokens[pos] != ")") return false;
                pos++;
                return true;
            }
            var t = tokens[pos++];
            if (!(Ids.Contains(t) || Ids.Contains(t.TrimEnd('+')) || t.StartsWith("LicenseRef-", StringComparison.Ordinal) && t.Length > 11)) return false;
            if (pos < tokens.Count && tokens[pos] is "WITH" or "with")
            {
                pos++;
                if (pos >= tokens.Count || !Exceptions.Contains(tokens[pos])) return false;
                pos++;
            }
            return true;
        }
        return Expr() && pos == tokens.Count;
    }

    /// <summary>A LicenseRef- id for raw licence text (letters, digits, '.' and '-' only).</summary>
    public static string LicenseRef(string text)
    {
        var s = Regex.Replace(text.Trim(), @"[^A-Za-z0-9.\-]+", "-").Trim('-');
        if (s.Length > 60) s = s[..60].Trim('-') + "-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..8].ToLowerInvariant();
        return "LicenseRef-" + (s.Length > 0 ? s : "unknown");
    }
}
