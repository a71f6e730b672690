package io.learningdb.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3-compatible object store holding backup repositories (AWS S3, MinIO, Ceph RGW, GCS in S3 mode...). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObjectStoreSpec {

    @JsonPropertyDescription("Host name of the S3 endpoint, e.g. s3.eu-west-1.amazonaws.com or minio.storage.svc. "
            + "TLS is always used; the server's certificate must name this host.")
    @Required
    @Size(max = 253)
    @Pattern(Syntax.DNS1123_SUBDOMAIN)
    private String endpoint;

    @JsonPropertyDescription("TCP port of the endpoint.")
    @Min(1)
    @Max(65535)
    @Default("443")
    private int port = 443;

    @JsonPropertyDescription("Bucket name.")
    @Required
    @Size(min = 3, max = 63)
    @Pattern("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
    private String bucket;

    @JsonPropertyDescription("Prefix inside the bucket. Each cluster keeps its repository under "
            + "<path>/<namespace>/<cluster>.")
    @Size(max = 200)
    @Pattern("^(/?[A-Za-z0-9._-]+)*/?$")
    @Default("\"/learningdb\"")
    private String path = "/learningdb";

    @JsonPropertyDescription("Region used to sign requests.")
    @Size(max = 64)
    @Pattern("^[a-z0-9-]+$")
    @Default("us-east-1")
    private String region = "us-east-1";

    @JsonPropertyDescription("host: bucket.endpoint (AWS); path: endpoint/bucket (MinIO and most self-hosted stores).")
    @Default("host")
    private UriStyle uriStyle = UriStyle.host;

    @JsonPropertyDescription("Secret in this namespace holding the access key pair.")
    @Required
    private S3Credentials credentials;

    @JsonPropertyDescription("Secret key holding the PEM CA that signed the store's certificate, when it is not a "
            + "public one.")
    private SecretKeyRef ca;

    public enum UriStyle {
        host, path
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getBucket() {
        return bucket;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public UriStyle getUriStyle() {
        return uriStyle;
    }

    public void setUriStyle(UriStyle uriStyle) {
        this.uriStyle = uriStyle;
    }

    public S3Credentials getCredentials() {
        return credentials;
    }

    public void setCredentials(S3Credentials credentials) {
        this.credentials = credentials;
    }

    public SecretKeyRef getCa() {
        return ca;
    }

    public void setCa(SecretKeyRef ca) {
        this.ca = ca;
    }
}
