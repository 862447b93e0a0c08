/** For commands whose own output is the point (demo, bench): handler logs only at WARN unless asked. */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
