using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DockOpt.Engine.DockerApi;

namespace DockOpt.Engine.Tests.DockerApi;

public class EngineTlsTests
{
    static string Pem(string subject)
    {
        using var key = ECDsa.Create();
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem();
    }

    [Fact]
    public void CaBundleWithoutAKeyLoadsEveryCertificate()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Pem("CN=dockopt-ca-1") + "\n" + Pem("CN=dockopt-ca-2") + "\n");
            var bundle = DockerEngine.LoadCaBundle(path);
            Assert.Equal(2, bundle.Count);
            Assert.Equal("CN=dockopt-ca-2", bundle[1].Subject);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CaFileWithNoCertificateIsASpecificError()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a certificate");
            var e = Assert.Throws<DockOptException>(() => DockerEngine.LoadCaBundle(path));
            Assert.Equal("EngineTlsInvalid", e.ErrorId);
        }
        finally { File.Delete(path); }
    }
}
