package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One stage of a multi-stage (warm) import. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataVolumeCheckpoint {
    public String previous;
    public String current;
}
