#!/usr/bin/env bash
# Runs a small sweep through spark-submit on a real Spark standalone cluster (one Master and one Worker JVM on
# loopback, the executor launched by the Worker), built only from the Maven jars of `mvn -Pspark package`, and
# compares its sweep.csv with the same sweep run locally. Usage: scripts/spark-standalone-check.sh [SWEEP.yaml]
# Needs DEEPNETS_DATA. A real Spark distribution has SPARK_HOME/jars, RELEASE and its Scala version already;
# here they are faked from target/spark-lib and target/lib.
set -euo pipefail
cd "$(dirname "$0")/.."
sweep="${1:-experiments/digits-grid.yaml}"
: "${DEEPNETS_DATA:?set DEEPNETS_DATA to the datasets folder}"
[ -f target/deepnets-spark.jar ] && [ -d target/spark-lib ] || mvn -q -B -Pspark -DskipTests package
work=$(mktemp -d)
trap 'pkill -f "deploy.master.Master --host 127.0.0.1 --port 17077" || true; pkill -f "deploy.worker.Worker spark://127.0.0.1:17077" || true; rm -rf "$work"' EXIT
mkdir -p "$work/home/jars"
for f in target/spark-lib/*.jar target/lib/*.jar; do ln -sf "$PWD/$f" "$work/home/jars/"; done
echo "Spark 3.5.3 (jars from Maven)" > "$work/home/RELEASE"
opens="--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
export SPARK_HOME="$work/home" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.12
cp="$work/home/jars/*"
java $opens -Xmx512m -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 17077 --webui-port 18080 > "$work/master.log" 2>&1 &
sleep 8
java $opens -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker spark://127.0.0.1:17077 --host 127.0.0.1 --cores 2 --memory 6g \
  --webui-port 18081 --work-dir "$work/worker" > "$work/worker.log" 2>&1 &
sleep 10
start=$(date +%s)
java $opens -Xmx2g -cp "$cp" org.apache.spark.deploy.SparkSubmit --class io.deepnets.cli.Main --master spark://127.0.0.1:17077 \
  --executor-memory 3g --conf "spark.executor.extraJavaOptions=$opens -Djava.awt.headless=true" \
  --conf "spark.executorEnv.DEEPNETS_DATA=$DEEPNETS_DATA" target/deepnets-spark.jar sweep "$sweep" --spark cluster --out "$work/cluster" \
  2> "$work/submit.log" | grep -v '^submitted'
echo "spark-submit: $(( $(date +%s) - start )) s"
./deepnets sweep "$sweep" --jobs 1 --out "$work/local" > /dev/null
# Accuracies and statuses must be equal; losses may differ in the 6th decimal (native reductions with another
# thread count in the executor JVM).
columns() {
  python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); keep=[i for i,h in enumerate(r[0]) if not h.endswith("loss") and h not in ("seconds","folder")]; [print(",".join(row[i] for i in keep)) for row in r]' "$1"
}
if diff <(columns "$work"/cluster/sweeps/*/*/sweep.csv) <(columns "$work"/local/sweeps/*/*/sweep.csv); then
  echo "same accuracies and statuses on the cluster and locally"
else
  echo "results differ" >&2
  exit 1
fi
