using System.Text.RegularExpressions;
using DockOpt.Engine.Images;

namespace DockOpt.Engine.Registry;

/// <summary>An Amazon ECR private registry host.</summary>
public sealed record EcrHost(string AccountId, string Region, bool Fips, bool China)
{
    /// <summary>Control-plane endpoint of the region (<c>api.ecr.&lt;region&gt;.amazonaws.com</c>, FIPS <c>ecr-fips.&lt;region&gt;…</c>, China <c>….com.cn</c>).</summary>
    public Uri ApiEndpoint => new(Fips ? $"https://ecr-fips.{Region}.amazonaws.com{(China ? ".cn" : "")}/"
        : $"https://api.ecr.{Region}.amazonaws.com{(China ? ".cn" : "")}/");
}
