package dev.ferry.api.snapshot.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A TypedLocalObjectReference: {@code apiGroup}, {@code kind}, {@code name} in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObjectReference {
    public String apiGroup;
    public String kind;
    public String name;

    public ObjectReference() {
    }

    public ObjectReference(String apiGroup, String kind, String name) {
        this.apiGroup = apiGroup;
        this.kind = kind;
        this.name = name;
    }

    /** A VirtualMachine of the same namespace. */
    public static ObjectReference virtualMachine(String name) {
        return new ObjectReference("kubevirt.io", "VirtualMachine", name);
    }
}
