package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An indirect source: a DataSource, in the DataVolume's namespace unless one is named. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeSourceRef {
    public static final String KIND_DATA_SOURCE = "DataSource";

    public String kind;
    public String namespace;
    public String name;
}
