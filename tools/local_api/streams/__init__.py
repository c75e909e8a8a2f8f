"""DynamoDB stream event sources in the local server: the template's table streams in DynamoDB
Local are polled and the subscribed functions invoked (through the same warm workers as the API)
with batches in Lambda's event shape, as far as this project's stream functions need:

- `sources`: which function reads which stream, `BatchSize`, `FilterCriteria` (moto's
  EventBridge pattern matcher: Lambda's filters are EventBridge patterns);
- `reader`: shards and positions, records in Lambda's shape;
- `delivery`: retries, from the first failed record (`ReportBatchItemFailures`) or whole (a
  function error), up to `MaximumRetryAttempts`; no bisecting, no on-failure destination;
- `pollers`: a thread per source, and pause/resume/drain for tests.
"""

from local_api.streams.pollers import StreamPollers, poll_streams
from local_api.streams.sources import StreamSource, stream_sources, stream_table

__all__ = ["StreamPollers", "StreamSource", "poll_streams", "stream_sources", "stream_table"]
