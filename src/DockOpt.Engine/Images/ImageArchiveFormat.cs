namespace DockOpt.Engine.Images;

/// <summary>How the archive was laid out.</summary>
public enum ImageArchiveFormat
{
    /// <summary>A manifest.json list naming files: docker save (legacy), podman and skopeo docker-archive, crane and kaniko tarballs.</summary>
    DockerSave,
    /// <summary>OCI blobs (blobs/sha256/…): an OCI layout or archive, or a Docker 25+ save.</summary>
    OciLayout,
    /// <summary>A skopeo or podman <c>dir:</c> directory: a registry manifest as manifest.json and blobs named by hex digest.</summary>
    SkopeoDir,
}
