package io.learningdb.operator.model;

public enum DeletionPolicy {
    Retain,
    Delete
}
