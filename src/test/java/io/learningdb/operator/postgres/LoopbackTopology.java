package io.learningdb.operator.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Secret;
import io.learningdb.operator.model.LearningDatabase;
import io.learningdb.operator.resources.Credentials;
import io.learningdb.operator.resources.MaintenanceCronJob;
import io.learningdb.operator.resources.MaintenanceSql;
import io.learningdb.operator.resources.MaintenanceTask;
import io.learningdb.operator.resources.Certificates;
import io.learningdb.operator.resources.PoolerConfig;
import io.learningdb.operator.resources.TlsSecrets;
import io.learningdb.operator.resources.PostgresConfig;
import io.learningdb.operator.resources.ScriptsConfig;

/**
 * A real PostgreSQL primary, streaming replicas and PgBouncer on loopback ports, brought up with exactly what the
 * operator renders: postgresql.conf and pg_hba.conf from {@link PostgresConfig}, the entrypoint and bootstrap SQL
 * from {@link ScriptsConfig}, pgbouncer.ini from {@link PoolerConfig} (with loopback endpoints), and passwords
 * generated the way the credential Secrets are. instance.sh runs here as in a pod; only its environment differs.
 *
 * <p>Servers run as the OS user {@code postgres} (PostgreSQL refuses root) through setpriv, which keeps the
 * open-files limit. Every process started is tracked by PID and stopped in {@link #close()}, also from a JVM
 * shutdown hook, so a failing test leaves nothing running.
 */
public final class LoopbackTopology implements AutoCloseable {

    public static final Path PGBIN = detectPgBin();
    public static final String PGBOUNCER = "/usr/sbin/pgbouncer";

    private volatile LearningDatabase ldb;
    private int poolerPrimaryPort;
    private final Path base;
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "loopback-topology-cleanup");
    private Process pooler;
    private int poolerPort;
    private InstanceEnv instanceEnv = (name, dir, port) -> Map.of();

    /** More environment for an instance, as the pod would get it (backups: pgBackRest's files and keys). */
    @FunctionalInterface
    public interface InstanceEnv {
        Map<String, String> env(String name, Path dir, int port) throws IOException;
    }

    public void instanceEnv(InstanceEnv instanceEnv) {
        this.instanceEnv = instanceEnv;
    }

    public Path base() {
        return base;
    }

    /** One PostgreSQL instance as the operator would run it in pod {@code name}. */
    public record Instance(String name, int port, Path dir, Process process) {
        public Path pgdata() {
            return dir.resolve("pgdata");
        }

        public Path labels() {
            return dir.resolve("podinfo-labels");
        }

        public long pid() {
            return process.pid();
        }
    }

    private LoopbackTopology(LearningDatabase ldb, Path base) {
        this.ldb = ldb;
        this.base = base;
        this.apiServer = new FakeApiEndpoint();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * What instance.sh's isolation check sees of the API server (KUBERNETES_SERVICE_HOST/PORT): a loopback listener
     * that accepts TCP connections, closed by {@link #isolateFromApiServer()} and reopened on the same port.
     */
    static final class FakeApiEndpoint implements AutoCloseable {
        private volatile java.net.ServerSocket socket;
        final int port;

        FakeApiEndpoint() {
            try {
                this.port = freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            open();
        }

        synchronized void open() {
            try {
                var s = new java.net.ServerSocket();
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                socket = s;
                Thread t = new Thread(() -> {
                    while (!s.isClosed()) {
                        try {
                            s.accept().close();
                        } catch (IOException e) {
                            return;
                        }
                    }
                }, "fake-api-endpoint");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException e) {
                // closing
            }
        }
    }

    private final FakeApiEndpoint apiServer;

    /** The instances can no longer reach the API server (a network partition around their node). */
    public void isolateFromApiServer() {
        apiServer.close();
    }

    public void reconnectApiServer() {
        apiServer.open();
    }

    private LoopbackTopology(LoopbackTopology running, LearningDatabase ldb) {
        this.ldb = ldb;
        this.base = running.base;
        this.apiServer = running.apiServer;
        this.passwords.putAll(running.passwords);
        this.instances.putAll(running.instances);
    }

    /** The same running servers, rendering files from another spec (close() of the view stops nothing). */
    LoopbackTopology withSpec(LearningDatabase other) {
        return new LoopbackTopology(this, other);
    }

    /** True when this machine can run the topology (PostgreSQL and PgBouncer installed, running as root). */
    public static boolean available() {
        return PGBIN != null && Files.isExecutable(PGBIN.resolve("postgres")) && Files.isExecutable(Path.of(PGBOUNCER))
                && "root".equals(System.getProperty("user.name"));
    }

    /** Renders the operator's files for {@code ldb} into a fresh directory. Nothing is started yet. */
    public static LoopbackTopology create(LearningDatabase ldb) {
        try {
            Path base = Files.createTempDirectory("learningdb-it-");
            var topo = new LoopbackTopology(ldb, base);
            topo.render();
            return topo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void render() throws IOException {
        write(base.resolve("config/postgresql.conf"), PostgresConfig.postgresqlConf(ldb));
        write(base.resolve("config/pg_hba.conf"), PostgresConfig.pgHbaConf(TlsSecrets.required(ldb)));
        if (TlsSecrets.enabled(ldb)) {
            // as the operator issues them, plus the loopback names the fixture connects with
            var ca = TlsSecrets.newCa(ldb, Instant.now());
            var server = Certificates.newServer(ca, tlsNames(), Instant.now());
            tlsCa = ca;
            mountTlsFiles(Map.of(TlsSecrets.CA_CRT, ca.certificate(), TlsSecrets.TLS_CRT, server.certificate(),
                    TlsSecrets.TLS_KEY, server.privateKey()));
        }
        for (var f : ScriptsConfig.files().entrySet()) {
            write(base.resolve("scripts").resolve(f.getKey()), f.getValue());
        }
        secret("superuser", Credentials.superuser(ldb, Credentials.generatePassword()));
        secret("replication", Credentials.replication(ldb, Credentials.generatePassword()));
        secret("app", Credentials.app(ldb, Credentials.generatePassword()));
        Secret poolerAuth = Credentials.poolerAuth(ldb, Credentials.generatePassword());
        secret("pooler-auth", poolerAuth);
        secret("maintenance", Credentials.maintenance(ldb, Credentials.generatePassword()));
        write(base.resolve("pooler/" + PoolerConfig.USERLIST), Credentials.decode(poolerAuth, PoolerConfig.USERLIST));
        run(List.of("chown", "-R", "postgres:postgres", base.toString()));
        run(List.of("chmod", "-R", "go-rwx", base.toString()));
    }

    private void secret(String name, Secret secret) throws IOException {
        String password = Credentials.decode(secret, Credentials.PASSWORD);
        passwords.put(name, password);
        write(base.resolve("secrets").resolve(name).resolve("password"), password);
    }

    private Certificates.Pem tlsCa;
    private int tlsGeneration;

    /** The CA the fixture issued its first certificate with. */
    public Certificates.Pem tlsCa() {
        return tlsCa;
    }

    /** The TLS Secret as the pods have it mounted now (what the operator would have written). */
    public Secret tlsSecret() {
        try {
            Path dir = base.resolve("tls");
            return TlsSecrets.server(ldb, Files.readString(dir.resolve(TlsSecrets.CA_CRT)),
                    new Certificates.Pem(Files.readString(dir.resolve(TlsSecrets.TLS_CRT)),
                            Files.readString(dir.resolve(TlsSecrets.TLS_KEY))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PgBouncer's admin console, where the operator sends SHOW CONFIG, RELOAD and RECONNECT. */
    public Endpoint poolerConsole() {
        return new Endpoint("127.0.0.1", poolerPort);
    }

    /** The pooler's own login, which PgBouncer lists in admin_users (what the operator logs in with). */
    public Login poolerAdmin() {
        return new Login(io.learningdb.operator.resources.Names.POOLER_AUTH_USER, password("pooler-auth"));
    }

    /** The application owner over TCP with TLS: {@code sslmode} and the CA file the client verifies with. */
    public Connection appWithTls(String host, int port, String sslmode, Path rootCert) throws SQLException {
        var b = ldb.getSpec().getBootstrap();
        var props = new Properties();
        props.setProperty("user", b.getOwner());
        props.setProperty("password", password("app"));
        props.setProperty("sslmode", sslmode);
        props.setProperty("sslrootcert", rootCert.toString());
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "10");
        props.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + b.getDatabase(), props);
    }

    /** The names the fixture's certificates cover: the operator's, plus the loopback names it connects with. */
    public List<String> tlsNames() {
        var names = new java.util.ArrayList<>(List.of("localhost", "127.0.0.1"));
        names.addAll(TlsSecrets.serverNames(ldb));
        return names;
    }

    /**
     * What kubelet does when the TLS Secret changes: the mounted files are replaced all at once (kubelet writes a new
     * directory and swaps the {@code ..data} symlink; here the {@code tls} symlink itself). Nothing is restarted.
     */
    public synchronized void mountTls(Secret secret) {
        mountTlsFiles(Map.of(TlsSecrets.CA_CRT, TlsSecrets.decode(secret, TlsSecrets.CA_CRT),
                TlsSecrets.TLS_CRT, TlsSecrets.decode(secret, TlsSecrets.TLS_CRT),
                TlsSecrets.TLS_KEY, TlsSecrets.decode(secret, TlsSecrets.TLS_KEY)));
    }

    private void mountTlsFiles(Map<String, String> files) {
        try {
            Path data = base.resolve(".tls-" + (++tlsGeneration));
            Files.createDirectories(data);
            for (var f : files.entrySet()) {
                write(data.resolve(f.getKey()), f.getValue());
            }
            run(List.of("chown", "-R", "postgres:postgres", data.toString()));
            run(List.of("chmod", "-R", "go-rwx", data.toString()));
            Path link = base.resolve("tls.next");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, data.getFileName());
            Files.move(link, base.resolve("tls"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster CA's certificate, for clients that verify the server (sslmode=verify-full). */
    public Path caCertificate() {
        return base.resolve("tls/" + TlsSecrets.CA_CRT);
    }

    public String password(String secret) {
        return passwords.get(secret);
    }

    public LearningDatabase ldb() {
        return ldb;
    }

    public Instance instance(String name) {
        return instances.get(name);
    }

    public Map<String, Instance> instances() {
        return instances;
    }

    public int poolerPort() {
        return poolerPort;
    }

    /** Starts pod {@code name} labelled primary: initdb and bootstrap on an empty directory, then postgres. */
    public Instance startPrimary(String name) {
        return start(name, "primary", null);
    }

    /** Starts pod {@code name} labelled replica of {@code primary}: pg_basebackup on an empty directory, then streaming. */
    public Instance startReplica(String name, String primary) {
        return start(name, "replica", instances.get(primary));
    }

    /** Starts (or restarts, keeping its data) instance {@code name} with the given role label. */
    public synchronized Instance start(String name, String role, Instance primary) {
        return start(name, role, primary != null ? primary.port() : 0);
    }

    /**
     * Starts (or restarts, keeping its data) instance {@code name} with the given role label, streaming from
     * {@code primaryPort} (a {@link TcpProxy} standing in for the {@code <name>-rw} Service, say); 0 for itself.
     */
    public synchronized Instance start(String name, String role, int primaryPort) {
        return start(name, role, primaryPort, true);
    }

    /** The pod annotations the downward API would show the instance (learningdb.io/system-identifier). */
    public void annotate(String name, String systemIdentifier) {
        try {
            Path dir = base.resolve("instances").resolve(name);
            Files.createDirectories(dir);
            write(dir.resolve("podinfo-annotations"), "learningdb.io/system-identifier=\"" + systemIdentifier + "\"\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts instance.sh; with {@code awaitAccepting} false, returns at once (for an instance expected to refuse). */
    public synchronized Instance start(String name, String role, int primaryPort, boolean awaitAccepting) {
        try {
            Instance previous = instances.get(name);
            int port = previous != null ? previous.port() : freePort();
            Path dir = base.resolve("instances").resolve(name);
            Files.createDirectories(dir.resolve("sock"));
            write(dir.resolve("podinfo-labels"), "learningdb.io/role=\"" + role + "\"\n");
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            run(List.of("chmod", "700", dir.toString()));
            var env = new LinkedHashMap<String, String>();
            env.put("PGDATA", dir.resolve("pgdata").toString());
            env.put("POD_NAME", name);
            env.put("PGPORT", Integer.toString(port));
            env.put("LISTEN_ADDRESSES", "127.0.0.1");
            env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
            env.put("PODINFO_LABELS", dir.resolve("podinfo-labels").toString());
            env.put("PODINFO_ANNOTATIONS", dir.resolve("podinfo-annotations").toString());
            env.put("CONFIG_DIR", base.resolve("config").toString());
            env.put("SCRIPTS_DIR", base.resolve("scripts").toString());
            env.put("SECRETS_DIR", base.resolve("secrets").toString());
            env.put("TLS_DIR", base.resolve("tls").toString());
            env.put("RUN_DIR", dir.resolve("run").toString());
            env.put("PRIMARY_HOST", "127.0.0.1");
            env.put("PRIMARY_PORT", Integer.toString(primaryPort != 0 ? primaryPort : port));
            env.put("APP_DATABASE", ldb.getSpec().getBootstrap().getDatabase());
            env.put("APP_OWNER", ldb.getSpec().getBootstrap().getOwner());
            env.put("PGBIN", PGBIN.toString());
            env.put("ROLE_WAIT_SECONDS", "10");
            env.put("CONFIG_CHECK_SECONDS", "1");
            env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
            env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiServer.port));
            Path init = base.resolve("init.sql");
            if (Files.exists(init)) {
                env.put("INIT_SQL", init.toString());
            }
            env.putAll(instanceEnv.env(name, dir, port));
            var pb = new ProcessBuilder(asPostgres(List.of("/bin/bash", base.resolve("scripts/instance.sh").toString())))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            processes.add(p);
            var instance = new Instance(name, port, dir, p);
            instances.put(name, instance);
            if (awaitAccepting) {
                awaitAccepting(instance, Duration.ofSeconds(180));
            }
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The init SQL instance.sh runs on a new primary (bootstrap.initSQL); set before starting the primary. */
    public void initSql(String sql) {
        try {
            write(base.resolve("init.sql"), sql);
            run(List.of("chown", "postgres:postgres", base.resolve("init.sql").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts PgBouncer with the operator's pgbouncer.ini, pointed at {@code primary} on loopback. */
    public synchronized void startPooler(String primary) {
        startPoolerAt(instances.get(primary).port());
    }

    /**
     * What kubelet does when the operator updates the ConfigMaps for a changed spec: the mounted postgresql.conf,
     * pg_hba.conf and pgbouncer.ini are replaced at once (kubelet swaps a symlink; here: a rename). Nothing is restarted.
     */
    public synchronized void reconfigure(LearningDatabase next) {
        try {
            this.ldb = next;
            replace(base.resolve("config/postgresql.conf"), PostgresConfig.postgresqlConf(next));
            replace(base.resolve("config/pg_hba.conf"), PostgresConfig.pgHbaConf(TlsSecrets.required(next)));
            if (poolerPort != 0) {
                replace(base.resolve("pooler/pgbouncer.ini"), poolerIni());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a lost SIGHUP leaves on {@code instance}: {@code next}'s files both mounted and installed in its data
     * directory, the server not told. Every file is written and owned first, then the four renames follow each other
     * within microseconds, so instance.sh's watch loop (checking every second) never sees the mounted files differ
     * from the installed ones — it would install and signal them itself, the path this is meant to bypass.
     */
    public synchronized void installWithoutReload(String instance, LearningDatabase next) {
        try {
            this.ldb = next;
            Path pgdata = instances.get(instance).pgdata();
            var files = new java.util.LinkedHashMap<Path, String>();
            files.put(base.resolve("config/pg_hba.conf"), PostgresConfig.pgHbaConf(TlsSecrets.required(next)));
            files.put(pgdata.resolve("pg_hba.conf"), PostgresConfig.pgHbaConf(TlsSecrets.required(next)));
            files.put(base.resolve("config/postgresql.conf"), PostgresConfig.postgresqlConf(next));
            files.put(pgdata.resolve("postgresql.conf"), PostgresConfig.postgresqlConf(next));
            var chown = new ArrayList<>(List.of("chown", "postgres:postgres"));
            for (var f : files.entrySet()) {
                Path staged = f.getKey().resolveSibling(f.getKey().getFileName() + ".next");
                write(staged, f.getValue());
                chown.add(staged.toString());
            }
            run(chown);
            for (Path file : files.keySet()) {
                Files.move(file.resolveSibling(file.getFileName() + ".next"), file,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (poolerPort != 0) {
                replace(base.resolve("pooler/pgbouncer.ini"), poolerIni());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As kubelet updates a mounted ConfigMap: the operator's {@code <name>-postgres-config} data, verbatim. */
    public synchronized void mountPostgresConfig(Map<String, String> data) {
        try {
            for (var e : data.entrySet()) {
                replace(base.resolve("config").resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void replace(Path file, String content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        write(next, content);
        run(List.of("chown", "postgres:postgres", next.toString()));
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private String poolerIni() {
        return PoolerConfig.pgbouncerIni(ldb, poolerEndpoints());
    }

    /** Where the test's PgBouncer listens and points (what the pod values are in a cluster). */
    public PoolerConfig.Endpoints poolerEndpoints() {
        return new PoolerConfig.Endpoints("127.0.0.1", poolerPort, "127.0.0.1", poolerPrimaryPort,
                base.resolve("pooler/" + PoolerConfig.USERLIST).toString(), base.resolve("tls").toString(),
                base.resolve("pooler/run").toString());
    }

    /** The PgBouncer process (its pid shows whether it was restarted). */
    public Process pooler() {
        return pooler;
    }

    /** Starts PgBouncer pointed at a port (a proxy standing in for {@code <name>-rw}). */
    public synchronized void startPoolerAt(int primaryPort) {
        try {
            poolerPort = poolerPort != 0 ? poolerPort : freePort();
            poolerPrimaryPort = primaryPort;
            Path ini = base.resolve("pooler/pgbouncer.ini");
            write(ini, poolerIni());
            Path script = base.resolve("pooler/" + PoolerConfig.POOLER_SH);
            write(script, PoolerConfig.poolerScript());
            run(List.of("chown", "-R", "postgres:postgres", base.resolve("pooler").toString()));
            // the pod's entrypoint, verbatim, with the pod's variables pointed at the fixture's files
            String env = "PGBOUNCER=" + PGBOUNCER + " PGBOUNCER_INI=" + ini + " TLS_DIR=" + base.resolve("tls")
                    + " RUN_DIR=" + base.resolve("pooler/run") + " TLS_CHECK_SECONDS=1";
            var pb = new ProcessBuilder(asPostgres(List.of("/bin/bash", "-c",
                    "ulimit -n 16384; exec env " + env + " /bin/sh " + script)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("pooler/pgbouncer.log").toFile()));
            pooler = pb.start();
            processes.add(pooler);
            Instant deadline = Instant.now().plusSeconds(30);
            while (true) {
                try (var s = new java.net.Socket("127.0.0.1", poolerPort)) {
                    return;
                } catch (IOException e) {
                    if (!pooler.isAlive() || Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("PgBouncer did not start:\n" + log(base.resolve("pooler/pgbouncer.log")));
                    }
                    sleep(100);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to the instance's container process (instance.sh), as kubelet stops a pod. */
    public void terminate(String name) {
        Instance i = instances.get(name);
        if (i != null && i.process().isAlive()) {
            try {
                run(List.of("kill", "-TERM", Long.toString(i.process().pid())));
            } catch (IllegalStateException e) {
                // it exited meanwhile
            }
        }
    }

    /** pg_ctl stop with mode fast or immediate (immediate = a crash, as when a node dies). */
    public void stop(String name, String mode) {
        Instance i = instances.get(name);
        if (i == null || !i.process().isAlive()) {
            return;
        }
        try {
            run(asPostgres(List.of(PGBIN.resolve("pg_ctl").toString(), "-D", i.pgdata().toString(), "-m", mode, "-w", "-t", "60", "stop")));
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("does not exist")) {
                throw e; // not "already stopped" (e.g. by a SIGTERM the test's kubelet sent)
            }
        }
        try {
            i.process().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Connection connect(String instance, String user, String password, String database) throws SQLException {
        return connect(instances.get(instance).port(), user, password, database);
    }

    public Connection superuser(String instance) throws SQLException {
        return connect(instance, "postgres", password("superuser"), "postgres");
    }

    /** The application owner through PgBouncer, as applications connect. */
    public Connection appThroughPooler() throws SQLException {
        var b = ldb.getSpec().getBootstrap();
        return connect(poolerPort, b.getOwner(), password("app"), b.getDatabase());
    }

    public static Connection connect(int port, String user, String password, String database) throws SQLException {
        var props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    /** Output and exit code of a maintenance job run. */
    public record JobRun(int exitCode, String output, String terminationMessage) {
        public JobRun(int exitCode, String output) {
            this(exitCode, output, "");
        }
    }

    /**
     * Runs a maintenance task as its CronJob would: the job's command and libpq environment from
     * {@link MaintenanceCronJob}, the SQL rendered by {@link MaintenanceSql}; only the host/port (loopback primary),
     * the password (from the Secret env reference) and the ConfigMap mount directory are substituted.
     */
    public JobRun runMaintenance(MaintenanceTask task, String primary) {
        try {
            Path dir = base.resolve("maintenance");
            write(dir.resolve(task.file()), MaintenanceSql.render(ldb, task));
            var command = MaintenanceCronJob.command(task).stream()
                    .map(a -> a.startsWith(MaintenanceSql.MOUNT) ? dir + a.substring(MaintenanceSql.MOUNT.length()) : a)
                    .map(a -> a.equals("psql") ? PGBIN.resolve("psql").toString() : a)
                    .toList();
            var pb = new ProcessBuilder(command).redirectErrorStream(true);
            for (var e : MaintenanceCronJob.env(ldb, task)) {
                pb.environment().put(e.getName(), e.getValue() != null ? e.getValue() : password("maintenance"));
            }
            // the job's host name stays (verify-full checks the certificate against it); only the address is loopback
            pb.environment().put("PGHOSTADDR", "127.0.0.1");
            pb.environment().put("PGPORT", Integer.toString(instances.get(primary).port()));
            pb.environment().computeIfPresent("PGSSLROOTCERT", (k, v) -> caCertificate().toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.MINUTES);
            return new JobRun(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs upgrade.sh on instance {@code name}'s (stopped) data directory as Job {@code <name>-upgrade} would, with
     * this machine's binaries as both the old and the new major (only one is installed here:
     * UPGRADE_SAME_MAJOR=1), and {@code extraEnv} (UPGRADE_STOP_AT). The output, exit code and termination message.
     */
    public JobRun runUpgrade(String name, Map<String, String> extraEnv) {
        try {
            Path dir = base.resolve("instances").resolve(name);
            Path termination = dir.resolve("upgrade-termination-log");
            Files.deleteIfExists(termination);
            var pb = new ProcessBuilder(asPostgres(List.of("/bin/bash", base.resolve("scripts/" + ScriptsConfig.UPGRADE_SH).toString())))
                    .directory(dir.toFile())
                    .redirectErrorStream(true);
            var env = pb.environment();
            // the Job's environment, each path moved to its loopback place (a variable the Job gains fails here)
            for (var e : io.learningdb.operator.resources.UpgradeJob.env(15, 16)) {
                env.put(e.getName(), switch (e.getName()) {
                    case "PGDATA" -> dir.resolve("pgdata").toString();
                    case "OLD_BINDIR", "NEW_BINDIR" -> PGBIN.toString();
                    case "SECRETS_DIR" -> base.resolve("secrets").toString();
                    case "RUN_DIR" -> dir.resolve("upgrade-run").toString();
                    case "TERMINATION_LOG" -> termination.toString();
                    case "HOME" -> dir.toString();
                    default -> throw new IllegalStateException("no loopback value for the Job's " + e.getName());
                });
            }
            env.put("UPGRADE_SAME_MAJOR", "1");
            env.putAll(extraEnv);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("upgrade.sh did not finish:\n" + out);
            }
            String message = Files.exists(termination) ? Files.readString(termination) : "";
            return new JobRun(p.exitValue(), out, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String serverLog(String name) {
        return log(instances.get(name).dir().resolve("server.log"));
    }

    private void awaitAccepting(Instance i, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try (Connection c = superuser(i.name())) {
                c.createStatement().execute("SELECT 1");
                return;
            } catch (SQLException e) {
                if (!i.process().isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("instance " + i.name() + " did not start (" + e.getMessage()
                            + "):\n" + log(i.dir().resolve("server.log")));
                }
                sleep(200);
            }
        }
    }

    @Override
    public void close() {
        apiServer.close();
        if (pooler != null && pooler.isAlive()) {
            pooler.destroy();
        }
        for (Instance i : instances.values()) {
            try {
                stop(i.name(), "fast");
            } catch (RuntimeException e) {
                // fall through to the kill below
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        deleteQuietly(base);
    }

    private void killAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static List<String> asPostgres(List<String> command) {
        var c = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        c.addAll(command);
        return c;
    }

    static String run(List<String> command) {
        return run(command, Map.of());
    }

    /** Runs a command with extra environment variables; its output, or an exception with it when it fails. */
    static String run(List<String> command, Map<String, String> env) {
        try {
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static String log(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no log)";
            }
            var lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private static Path detectPgBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin")).orElse(null);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
