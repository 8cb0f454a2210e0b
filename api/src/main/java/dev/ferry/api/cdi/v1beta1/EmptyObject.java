package dev.ferry.api.cdi.v1beta1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * A marker object with no fields ({@code upload: {}}, {@code blank: {}}): it is present or
 * absent, and it serializes as {@code {}}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonSerialize(using = EmptyObject.AsEmptyObject.class)
public class EmptyObject {

    static final class AsEmptyObject extends StdSerializer<EmptyObject> {
        AsEmptyObject() {
            super(EmptyObject.class);
        }

        @Override
        public void serialize(EmptyObject value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeEndObject();
        }
    }
}
