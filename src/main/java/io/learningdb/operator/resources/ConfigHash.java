package io.learningdb.operator.resources;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.ConfigMap;

/** A stable hash of ConfigMap contents, put on pod templates so a config change rolls the pods. */
public final class ConfigHash {

    private ConfigHash() {
    }

    public static String of(ConfigMap... configMaps) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (ConfigMap cm : configMaps) {
                update(digest, cm.getMetadata().getName());
                for (Map.Entry<String, String> e : new TreeMap<>(cm.getData()).entrySet()) {
                    update(digest, e.getKey());
                    update(digest, e.getValue());
                }
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stable hex hash of one string. */
    public static String of(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            update(digest, text);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(bytes);
    }
}
