"""The documented catalogue of calls that do real work when run at import time (used by LA103)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True, slots=True)
class SideEffect:
    """One known import-time cost: a callee pattern, its category and why it costs at cold start.

    `pattern` is a fully qualified callee as the library documents it; "()" marks a call's result
    ("boto3.Session().client"), "*" is a glob ("*.from_pretrained"). Re-exports are followed when
    matching, so "aws_lambda_powertools.Tracer" also matches `from aws_lambda_powertools.tracing import Tracer`.
    """

    pattern: str
    category: str
    why: str

    @property
    def is_glob(self) -> bool:
        return "*" in self.pattern


# category -> what the user should take from it (shown in docs/rules/la103.md)
CATEGORIES: dict[str, str] = {
    "aws-client": "AWS SDK clients, resources and sessions",
    "http-client": "HTTP sessions and connection pools",
    "database": "database engines, pools and connections",
    "tracing": "tracers and instrumentation that patch other libraries",
    "logging": "structured loggers and metrics buffers",
    "ai-client": "AI / LLM provider clients and SDK initialisation",
    "model-load": "model weights and artefacts loaded from disk or the network",
    "network-io": "network round trips",
    "file-io": "file reads at import",
    "configured": "callees named in [tool.lazyaudit] side-effect-calls",
    "io-verb": "a call into a heavy third-party module whose name says it does I/O or set-up",
}

_AWS_CLIENT = (
    "builds a botocore client: reads the endpoint and service model JSON from disk, resolves credentials "
    "and region, and generates the client class (tens of ms per client, the first one more)"
)
_AWS_SESSION = "a botocore session: reads ~/.aws config and credentials files, builds the data loader and event hooks"
_HTTP_POOL = "creates a connection pool; the TLS context it builds loads the CA bundle (about 20 ms)"
_NETWORK = "a network round trip at import: every cold start waits for it, and when it fails INIT fails"
_DB_ENGINE = "imports the dialect and DB driver and builds a pool at import (the driver import is the big part)"
_DB_CONNECT = "opens a database connection at import: network round trips (DNS, TCP, TLS, auth) on every cold start"
_AI_CLIENT = (
    "builds the provider SDK client at import: an httpx client (TLS context, CA bundle) and an API key "
    "read from the environment that raises when it is missing"
)
_LC_MODEL = (
    "builds the provider client of a LangChain chat model at import (httpx client, credentials; Bedrock builds "
    "a boto3 client, Vertex AI resolves Google credentials)"
)
_GOOGLE_AUTH = "resolves Google credentials at import: google.auth.default() may probe the GCE metadata server over the network"
_FILE = "reads a file at import: disk I/O on every cold start, and a missing file makes the import fail"
_MODEL = "loads model weights or artefacts at import: often hundreds of ms to seconds, sometimes a download"


def _family(prefix: str, names: str, category: str, why: str) -> list[SideEffect]:
    return [SideEffect(f"{prefix}.{name}" if prefix else name, category, why) for name in names.split()]


CATALOGUE: tuple[SideEffect, ...] = (
    # AWS SDK
    *_family("boto3", "client resource", "aws-client", _AWS_CLIENT),
    *_family("boto3", "Session session.Session", "aws-client", _AWS_SESSION),
    *_family("boto3", "Session().client Session().resource session.Session().client session.Session().resource",
             "aws-client", _AWS_CLIENT),
    *_family("botocore.session", "get_session Session", "aws-client", _AWS_SESSION),
    *_family("botocore.session", "get_session().create_client Session().create_client", "aws-client", _AWS_CLIENT),
    *_family("aioboto3", "Session", "aws-client", _AWS_SESSION),
    # HTTP
    *_family("requests", "Session session", "http-client", _HTTP_POOL),
    *_family("httpx", "Client AsyncClient", "http-client", _HTTP_POOL),
    *_family("aiohttp", "ClientSession", "http-client", _HTTP_POOL),
    *_family("urllib3", "PoolManager", "http-client", _HTTP_POOL),
    *_family("requests", "get post put patch delete head options request", "network-io", _NETWORK),
    *_family("httpx", "get post put patch delete head options request stream", "network-io", _NETWORK),
    *_family("urllib.request", "urlopen urlretrieve", "network-io", _NETWORK),
    *_family("socket", "create_connection getaddrinfo gethostbyname", "network-io", _NETWORK),
    *_family("nltk", "download", "network-io", _NETWORK),
    # databases
    *_family("sqlalchemy", "create_engine ext.asyncio.create_async_engine", "database", _DB_ENGINE),
    *_family("redis", "Redis StrictRedis from_url Redis.from_url asyncio.Redis asyncio.from_url", "database",
             "builds a Redis client and its connection pool at import (it connects on the first command)"),
    *_family("psycopg", "connect AsyncConnection.connect", "database", _DB_CONNECT),
    *_family("psycopg2", "connect", "database", _DB_CONNECT),
    *_family("psycopg_pool", "ConnectionPool AsyncConnectionPool", "database", _DB_CONNECT),
    *_family("asyncpg", "connect create_pool", "database", _DB_CONNECT),
    *_family("pymysql", "connect", "database", _DB_CONNECT),
    *_family("mysql.connector", "connect", "database", _DB_CONNECT),
    *_family("sqlite3", "connect", "database", "opens (or creates) a database file at import"),
    *_family("pymongo", "MongoClient", "database",
             "starts background monitor threads and DNS/SRV lookups at import; not fork- or snapshot-safe"),
    *_family("motor.motor_asyncio", "AsyncIOMotorClient", "database", "a MongoDB client with background monitoring"),
    *_family("elasticsearch", "Elasticsearch", "database", _HTTP_POOL),
    *_family("opensearchpy", "OpenSearch", "database", _HTTP_POOL),
    # tracing and instrumentation
    *_family("aws_xray_sdk.core", "xray_recorder.configure", "tracing",
             "configures the X-Ray recorder at import: sampling rules, plugins (EC2/ECS metadata lookups) and the emitter"),
    *_family("aws_xray_sdk.core", "patch patch_all", "tracing",
             "imports and monkey-patches the libraries it traces (botocore, requests, httplib, sqlite3...) at import"),
    *_family("aws_lambda_powertools", "Tracer", "tracing",
             "Powertools Tracer(): imports aws_xray_sdk and patches modules (auto_patch) at import"),
    *_family("ddtrace", "patch patch_all", "tracing", "imports and monkey-patches the libraries it traces at import"),
    *_family("sentry_sdk", "init", "tracing", "installs every default integration (imports and patches them) and starts a transport thread"),
    # logging and metrics
    *_family("aws_lambda_powertools", "Logger", "logging",
             "Powertools Logger(): builds a JSON formatter and handler and reads POWERTOOLS_* settings at import"),
    *_family("aws_lambda_powertools", "Metrics", "logging",
             "Powertools Metrics(): an EMF metrics buffer and its validation schema, set up at import"),
    *_family("logging.config", "fileConfig", "file-io", _FILE),
    # AI / LLM clients
    *_family("openai", "OpenAI AsyncOpenAI AzureOpenAI AsyncAzureOpenAI", "ai-client", _AI_CLIENT),
    *_family("anthropic", "Anthropic AsyncAnthropic AnthropicBedrock AnthropicVertex", "ai-client", _AI_CLIENT),
    *_family("google.genai", "Client", "ai-client", _AI_CLIENT),
    *_family("google.generativeai", "configure", "ai-client", _AI_CLIENT),
    *_family("cohere", "Client ClientV2", "ai-client", _AI_CLIENT),
    *_family("mistralai", "Mistral", "ai-client", _AI_CLIENT),
    *_family("groq", "Groq", "ai-client", _AI_CLIENT),
    *_family("vertexai", "init", "ai-client", _GOOGLE_AUTH),
    *_family("google.cloud.aiplatform", "init", "ai-client", _GOOGLE_AUTH),
    *_family("google.auth", "default", "ai-client", _GOOGLE_AUTH),
    *_family("google.cloud", "storage.Client firestore.Client bigquery.Client pubsub_v1.PublisherClient",
             "ai-client", _GOOGLE_AUTH),
    *_family("langchain_openai", "ChatOpenAI AzureChatOpenAI OpenAIEmbeddings", "ai-client", _LC_MODEL),
    *_family("langchain_anthropic", "ChatAnthropic", "ai-client", _LC_MODEL),
    *_family("langchain_google_vertexai", "ChatVertexAI VertexAI VertexAIEmbeddings", "ai-client", _LC_MODEL),
    *_family("langchain_google_genai", "ChatGoogleGenerativeAI", "ai-client", _LC_MODEL),
    *_family("langchain_aws", "ChatBedrock ChatBedrockConverse BedrockEmbeddings", "ai-client", _LC_MODEL),
    *_family("langchain.chat_models", "init_chat_model", "ai-client", _LC_MODEL),
    # models and artefacts
    *_family("", "*.from_pretrained", "model-load", _MODEL),
    *_family("sentence_transformers", "SentenceTransformer", "model-load", _MODEL),
    *_family("joblib", "load", "model-load", _MODEL),
    *_family("torch", "load", "model-load", _MODEL),
    *_family("tensorflow.keras.models", "load_model", "model-load", _MODEL),
    *_family("spacy", "load", "model-load", _MODEL),
    # files
    *_family("builtins", "open", "file-io", _FILE),
    *_family("io", "open", "file-io", _FILE),
    *_family("pathlib.Path()", "read_text read_bytes open *.read_text *.read_bytes *.open", "file-io", _FILE),
    *_family("dotenv", "load_dotenv dotenv_values", "file-io", _FILE),
)

# The general rule: a module-level call into a *heavy* third-party module whose last name is one of
# these verbs (or starts with one and "_"): the name says it connects, configures, patches or loads.
# Kept short on purpose: `get`, `create` or `from_*` name pure construction far more often than I/O.
IO_VERBS: frozenset[str] = frozenset({
    "connect", "configure", "patch", "patch_all", "load", "open", "fetch", "download", "init",
    "initialize", "login", "authenticate", "urlopen",
})  # fmt: skip


def io_verb(callee: str) -> str:
    """The I/O verb a qualified callee's last name is or starts with ("load_model" -> "load"), else ""."""
    last = callee.rsplit(".", 1)[-1].rstrip("()")
    if last in IO_VERBS:
        return last
    head = last.split("_", 1)[0]
    return head if head in IO_VERBS and head != last else ""


def match(aliases: Iterable[str], catalogue: Iterable[SideEffect], canonical: dict[str, set[str]]) -> SideEffect | None:
    """The first catalogue entry one of a callee's `aliases` matches.

    `canonical` maps an exact pattern to the aliases of the name it documents (so a pattern written as
    the public name also matches the module that defines it); globs are matched as written.
    """
    names = list(aliases)
    plain = set(names)
    for effect in catalogue:
        if effect.is_glob:
            if any(fnmatchcase(n, effect.pattern) for n in names):
                return effect
        elif plain & canonical.get(effect.pattern, {effect.pattern}):
            return effect
    return None


def configured(calls: Iterable[str]) -> tuple[SideEffect, ...]:
    """Catalogue entries for [tool.lazyaudit] side-effect-calls."""
    return tuple(SideEffect(c, "configured", "named in [tool.lazyaudit] side-effect-calls") for c in calls)
