-- Batched state reads (Shopstream.Silo.Storage.BatchedReadGrainStorage).
--
-- Grain state stays written by Orleans' ADO.NET provider through the queries in 0001. Reads of many activations are
-- coalesced into one query that looks rows up by the full key, without the provider's hashes, so it needs an index
-- on those columns. The extension string is NULL for integer and GUID keys without an extension; coalesce makes the
-- index usable for an equality on it.
CREATE INDEX IF NOT EXISTS ix_orleansstorage_full_key
    ON OrleansStorage (ServiceId, GrainTypeString, (coalesce(GrainIdExtensionString, '')), GrainIdN0, GrainIdN1);
