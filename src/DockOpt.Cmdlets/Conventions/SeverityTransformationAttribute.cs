using System.Collections;
using System.Management.Automation;

namespace DockOpt.Cmdlets.Conventions;

/// <summary>
/// Accepts every severity word DockOpt users bring and turns it into <see cref="Severity"/>: DockOpt's own names
/// (Unknown, Info, Low, Medium, High, Critical), hadolint's levels (Style = Info, Warning = Medium, Error = High;
/// hadolint's "info" is spelled Info and so means DockOpt's Info), Amazon ECR/Trivy/Red Hat/Debian words
/// (Informational = Info, Negligible = Low, Moderate = Medium, Important = High, Undefined = Unknown) and numbers 0–5.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SeverityTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is IList list)
        {
            var r = new Severity[list.Count];
            for (var i = 0; i < list.Count; i++) r[i] = Convert(list[i]);
            return r;
        }
        return Convert(value);
    }

    internal static Severity Convert(object? input)
    {
        var value = input is PSObject p ? p.BaseObject : input;
        switch (value)
        {
            case null:
                throw new ArgumentTransformationMetadataException("A severity is required.");
            case Severity s:
                return s;
            case int or long or short or byte:
                var n = System.Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                if (Enum.IsDefined(typeof(Severity), n)) return (Severity)n;
                break;
        }
        if (TryParse(value!.ToString(), out var sev)) return sev;
        throw new ArgumentTransformationMetadataException(
            $"'{value}' is not a severity. Use Unknown, Info, Low, Medium, High or Critical (hadolint's Style, Warning and Error, and " +
            "Informational, Negligible, Moderate and Important are accepted too).");
    }

    /// <summary>Parses a severity word (case-insensitive) onto DockOpt's scale.</summary>
    public static bool TryParse(string? word, out Severity severity)
    {
        severity = Severity.Unknown;
        var w = (word ?? "").Trim();
        if (w.Length == 0) return false;
        if (Enum.TryParse(w, true, out severity) && Enum.IsDefined(typeof(Severity), severity) && !char.IsDigit(w[0])) return true;
        switch (w.ToLowerInvariant())
        {
            case "style": severity = Severity.Info; return true;
            case "warning": severity = Severity.Medium; return true;
            case "error": severity = Severity.High; return true;
            case "informational": severity = Severity.Info; return true;
            case "negligible": severity = Severity.Low; return true;
            case "moderate": severity = Severity.Medium; return true;
            case "important": severity = Severity.High; return true;
            case "undefined": severity = Severity.Unknown; return true;
        }
        return false;
    }
}
