"""The region (自治区) rollup: one row per league of what the leagues report upward (issue 16; notice
§四(三) 盟医改办统一报送自治区卫生健康委)."""
