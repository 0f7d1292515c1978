using System.Text.Json;
using System.Text.RegularExpressions;

namespace DockOpt.Engine.Registry;

/// <summary>Reads the JSON-lines stream of <c>POST /images/{name}/push</c>.</summary>
public sealed class PushStream
{
    static readonly Regex DigestLine = new(@"^(?<tag>\S+): digest: (?<digest>sha256:[0-9a-f]{64}) size: (?<size>\d+)$", RegexOptions.CultureInvariant);

    public Dictionary<string, PushLayer> Layers { get; } = new(StringComparer.Ordinal);
    public List<string> Order { get; } = new();
    public string? Digest { get; private set; }
    public long ManifestSize { get; private set; }
    public string? Error { get; private set; }
    public int EngineRetries { get; private set; }

    public int Pushed => Layers.Values.Count(l => l.Outcome == "Pushed");
    public int Skipped => Layers.Values.Count(l => l.Outcome is "Exists" or "Mounted");

    /// <summary>Uploaded bytes as the engine counted them (uncompressed progress of pushed layers).</summary>
    public long ProgressBytes => Layers.Values.Where(l => l.Outcome == "Pushed").Sum(l => Math.Max(l.Current, l.Total));

    public long CurrentBytes => Layers.Values.Sum(l => l.Current);
    public long TotalBytes => Layers.Values.Sum(l => l.Total);

    /// <summary>Applies one line; returns the layer it was about, if any.</summary>
    public PushLayer? Apply(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException) { return null; }
        using (doc)
        {
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return null;
            if (r.TryGetProperty("errorDetail", out var ed) && ed.ValueKind == JsonValueKind.Object && ed.TryGetProperty("message", out var em))
            {
                Error = em.GetString();
                return null;
            }
            if (r.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String)
            {
                Error = e.GetString();
                return null;
            }
            if (r.TryGetProperty("aux", out var aux) && aux.ValueKind == JsonValueKind.Object)
            {
                if (aux.TryGetProperty("Digest", out var d) && d.ValueKind == JsonValueKind.String) Digest = d.GetString();
                if (aux.TryGetProperty("Size", out var s) && s.TryGetInt64(out var sv)) ManifestSize = sv;
                return null;
            }
            var status = r.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() ?? "" : "";
            var id = r.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var m = DigestLine.Match(status);
            if (m.Success)
            {
                Digest = m.Groups["digest"].Value;
                ManifestSize = long.Parse(m.Groups["size"].Value, System.Globalization.CultureInfo.InvariantCulture);
                return null;
            }
            if (id == null || id.Length != 12 || !Regex.IsMatch(id, "^[0-9a-f]{12}$")) return null;
            if (!Layers.TryGetValue(id, out var layer))
            {
                layer = new PushLayer { Id = id };
                Layers[id] = layer;
                Order.Add(id);
            }
            layer.State = status;
            if (r.TryGetProperty("progressDetail", out var pd) && pd.ValueKind == JsonValueKind.Object)
            {
                if (pd.TryGetProperty("current", out var c) && c.TryGetInt64(out var cv)) layer.Current = cv;
                if (pd.TryGetProperty("total", out var t) && t.TryGetInt64(out var tv)) layer.Total = tv;
            }
            if (status == "Pushed") layer.Outcome = "Pushed";
            else if (status == "Layer already exists") layer.Outcome = "Exists";
            else if (status.StartsWith("Mounted from", StringComparison.Ordinal)) layer.Outcome = "Mounted";
            else if (status.StartsWith("Retrying in", StringComparison.Ordinal)) EngineRetries++;
            return layer;
        }
    }
}
